import type { Plugin } from "graphql-yoga";

// The media types a POST may carry: JSON, as the GraphQL-over-HTTP spec asks
// of every server (and its older alias).
const JSON_MEDIA_TYPES = new Set(["application/json", "application/graphql+json"]);

/**
 * Accepts operations as a JSON POST or as a GraphQL-over-HTTP GET only. Yoga
 * also parses multipart/form-data (file uploads), url-encoded forms and raw
 * `application/graphql` bodies, which no client of this API needs: each is
 * one more parser exposed to hostile input, and a form POST is one a browser
 * sends cross-site without a CORS preflight. Any other POST gets 415.
 */
export function useJsonRequestsOnly(): Plugin {
  return {
    onRequestParse({ request, endResponse, fetchAPI }) {
      if (request.method !== "POST") return;
      const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (JSON_MEDIA_TYPES.has(mediaType)) return;
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
