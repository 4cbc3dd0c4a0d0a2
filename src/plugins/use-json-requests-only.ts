import { createGraphQLError, type Plugin } from "graphql-yoga";

// The media types a POST may carry: JSON, as the GraphQL-over-HTTP spec asks
// of every server (and its older alias).
export const JSON_MEDIA_TYPES = new Set(["application/json", "application/graphql+json"]);

/** The media type of a request's Content-Type, lowercased, without its parameters; "" when there is none. */
export const mediaTypeOf = (request: Request) => (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();

type RequestParser = Parameters<Parameters<NonNullable<Plugin["onRequestParse"]>>[0]["setRequestParser"]>[0];

/**
 * Yoga reads a GET's `variables` and `extensions` with JSON.parse and lets its
 * SyntaxError escape, which is then masked as an unexpected error: a 500 for
 * what is the client's mistake. It is a 400, as a POST body that is not JSON is.
 */
const refusingMalformedJson =
  (parse: RequestParser): RequestParser =>
  async (request) => {
    try {
      return await parse(request);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw createGraphQLError(`The "variables" and "extensions" query parameters must be JSON: ${error.message}.`, {
        extensions: { http: { status: 400 }, code: "BAD_REQUEST" },
      });
    }
  };

/**
 * Accepts operations as a JSON POST or as a GraphQL-over-HTTP GET only. Yoga
 * also parses multipart/form-data (file uploads), url-encoded forms and raw
 * `application/graphql` bodies, which no client of this API needs: each is
 * one more parser exposed to hostile input, and a form POST is one a browser
 * sends cross-site without a CORS preflight. Any other POST gets 415.
 */
export function useJsonRequestsOnly(): Plugin {
  return {
    onRequest({ request }) {
      // Media types are case-insensitive and may have spaces before their
      // parameters (RFC 9110, 8.3.1), but Yoga picks its JSON parser for
      // `application/json` spelt exactly so, and answered `Application/JSON`
      // with an empty 415. Spelt Yoga's way, every spelling is parsed.
      const mediaType = mediaTypeOf(request);
      if (request.method === "POST" && JSON_MEDIA_TYPES.has(mediaType)) request.headers.set("content-type", mediaType);
    },
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      if (request.method === "GET" && requestParser) return setRequestParser(refusingMalformedJson(requestParser));
      if (request.method !== "POST") return;
      // onRequest above has spelt a JSON media type bare: the header is then one of the set.
      if (JSON_MEDIA_TYPES.has(request.headers.get("content-type") ?? "")) return;
      const mediaType = mediaTypeOf(request);
      const body = JSON.stringify({
        errors: [
          {
            message: `Unsupported Media Type: send the operation as application/json, got ${JSON.stringify(mediaType || "no Content-Type")}.`,
            extensions: { code: "UNSUPPORTED_MEDIA_TYPE" },
          },
        ],
      });
      endResponse(new fetchAPI.Response(body, { status: 415, headers: { "Content-Type": "application/json; charset=utf-8" } }));
    },
  };
}
