// The common GraphQL request, one operation POSTed as JSON and answered as
// JSON, run by Yoga's operation pipeline without Yoga's HTTP layer around it.
//
// Why: Yoga's HTTP layer (its own fetch adapter, request and body parsing,
// Accept negotiation and result processing, each a chain of plugin hooks over
// promise helpers) cost more CPU than the operation it carries: in-process,
// 130 µs around the 170 µs of getResultForParams for a GraphQL `user` with
// every field, where the whole REST retrieve of that user takes 150 (CPU
// profile, scratch timing of the layers, @whatwg-node Requests).
//
// What stays Yoga's, so that each rule keeps one place:
// - the operation itself: `yoga.getResultForParams` runs every plugin's
//   onParams hook (the request log, trusted documents), parsing, validation
//   and its caches, the context, execution and error masking, as Yoga's own
//   handler calls it; unless the operation is prepared and runs without an
//   error (src/http/prepared-operations.ts), when `prepared` is given;
// - the response: Yoga's exported `processRegularResult` writes the body,
//   status and headers for the media type Yoga's negotiation would choose;
// - every other request, and every request this path would answer otherwise
//   than Yoga: a GET, GraphiQL, a batch, a body that is not a JSON object of
//   well-typed parameters, an Accept that no JSON type matches, a failure in
//   an onParams hook. Yoga answers those, errors included, from the start.
//
// The HTTP hooks this path does not run must be harmless for what it takes:
// Yoga's own (routing, GraphiQL, parser choice, method and parameter checks,
// which all pass for what it takes) and useJsonRequestsOnly's media type rule,
// applied here too. The metrics plugin times requests in HTTP hooks, so with
// metrics on this path is not used (src/server.ts); test/graphql-json-post.test.ts
// counts Yoga's HTTP hooks, so that a new one cannot be skipped unseen.
import { processRegularResult, type YogaServerInstance } from "graphql-yoga";
import { JSON_MEDIA_TYPES, mediaTypeOf } from "../plugins/use-json-requests-only.ts";
import { contextOfOperation, fetchFromYoga } from "../context.ts";
import { isJsonObject } from "../json-object.ts";
import type { PreparedOperations, QueryParams } from "./prepared-operations.ts";
import { carryRequestLog } from "./request-log.ts";
import type { ServerContext } from "./request-target.ts";

type JsonMediaType = "application/json" | "application/graphql-response+json";

/** Yoga's media types for one result (graphql-yoga's useResultProcessors, `regular`), in its order. */
const RESULT_MEDIA_TYPES: readonly JsonMediaType[] = ["application/graphql-response+json", "application/json"];

/** graphql-yoga's isMatchingMediaType: the Accept entry may be a wildcard, by type or subtype. */
function accepts(entry: string, mediaType: string): boolean {
  const [type, subtype] = entry.split("/");
  const [wantedType, wantedSubtype] = mediaType.split("/");
  return (type === "*" || type === wantedType) && (subtype === "*" || subtype === wantedSubtype);
}

/**
 * The JSON media type Yoga answers one result with, for this Accept header;
 * null when it would answer otherwise (406, or an event stream). As
 * graphql-yoga's getMediaTypesForRequestInOrder and useResultProcessors read
 * it: entries in the header's order, quality values ignored, an entry with a
 * charset other than utf-8 skipped; the first entry one of the two types
 * matches decides, application/json when both do. A missing or empty
 * header accepts anything.
 */
export function resultMediaType(accept: string | null): JsonMediaType | null {
  for (const entry of (accept || "*/*").replace(/\s/g, "").toLowerCase().split(",")) {
    const [mediaType = "", ...parameters] = entry.split(";");
    const charset = parameters.find((parameter) => parameter.includes("charset=")) ?? "charset=utf-8";
    if (charset !== "charset=utf-8") continue;
    const matched = RESULT_MEDIA_TYPES.filter((candidate) => accepts(mediaType, candidate));
    if (matched.length > 0) return matched.at(-1)!;
  }
  return null;
}

const isString = (value: unknown) => typeof value === "string";

/** Yoga's four parameters, each with the type it accepts (graphql-yoga's checkGraphQLQueryParams). */
const PARAMETER_TYPES = new Map<string, (value: unknown) => boolean>([
  ["query", isString],
  ["operationName", isString],
  ["variables", isJsonObject],
  ["extensions", isJsonObject],
]);

/**
 * The body as Yoga's parameter checks would pass it for one operation sent as
 * text: an object of the four parameters (a null one counts as absent), the
 * query a string; null for anything else, which Yoga then answers.
 */
function operationParams(body: string): QueryParams | null {
  let params: unknown;
  try {
    params = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isJsonObject(params) || !isString(params.query)) return null;
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && !PARAMETER_TYPES.get(name)?.(value)) return null;
  }
  // A null parameter is passed on as Yoga's own parsing passes it.
  return params as unknown as QueryParams;
}

/**
 * `work`, or the request's abort reason if the client has gone away, as
 * Yoga's fetch answers (src/server.ts answers that 499).
 *
 * A Request made in-process may carry a body that never ends, so its work is
 * raced with its signal. A Node request's is not, only checked once done:
 * reading its body fails by itself as soon as its client leaves (the Node
 * adapter's stream errors, having aborted the signal), and an operation ends
 * whether or not anyone waits for it. Listening on the adapter's signal (a
 * Proxy over an EventTarget) for the body and then the operation cost a
 * GraphQL `user` 15–28 µs of CPU per request over HTTP (340 against 325, and
 * 366 against 338: two services alternating, 14 × 8,000 requests each run).
 * Racing only the body's reading saved nothing.
 */
function unlessAbandoned<T>(request: Request, serverContext: ServerContext, work: Promise<T>): Promise<T> {
  if (!serverContext.req) return untilAborted(request.signal, work);
  return work.then((done) => {
    if (request.signal.aborted) throw request.signal.reason;
    return done;
  });
}

function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/**
 * Yoga's answer to `request`, the short way when it is a JSON POST of one
 * operation answered as JSON; null when it is not: the request is then
 * untouched, for Yoga to answer.
 */
export async function answerJsonPost<UserContext extends Record<string, unknown>>(
  yoga: YogaServerInstance<ServerContext, UserContext>,
  request: Request,
  serverContext: ServerContext,
  prepared: PreparedOperations | null,
): Promise<Response | null> {
  if (request.method !== "POST" || !JSON_MEDIA_TYPES.has(mediaTypeOf(request))) return null;
  const mediaType = resultMediaType(request.headers.get("accept"));
  if (mediaType === null) return null;

  const body = await unlessAbandoned(request, serverContext, request.text());
  const params = operationParams(body);
  // The body is read: Yoga gets the same request again, with it, and of the
  // same class (the Node adapter's, or the caller's in-process), whose body
  // reading Yoga's messages quote.
  const byYoga = () => {
    const SameRequest = request.constructor as typeof Request;
    const again = new SameRequest(request.url, { method: "POST", headers: request.headers, body, signal: request.signal });
    return fetchFromYoga(yoga, carryRequestLog(request, again), serverContext);
  };
  if (params === null) return byYoga();
  // Only an onParams hook throws (or rejects) here: Yoga turns any later
  // failure into a result. Nothing has run yet, and Yoga answers it as it would.
  const operation = async () => {
    try {
      const result = await prepared?.run(params, request, serverContext);
      if (result) return { result };
      // A context of its own, as Yoga gives each operation: Yoga adds the request and params to it.
      return { result: await yoga.getResultForParams({ params, request }, contextOfOperation(serverContext)) };
    } catch {
      return null;
    }
  };
  const done = await unlessAbandoned(request, serverContext, operation());
  if (done === null) return byYoga();
  // Never undefined: Yoga's handler passes it to its result processor as it is.
  return processRegularResult(done.result!, yoga.fetchAPI, mediaType);
}
