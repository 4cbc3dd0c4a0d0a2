// Who may read /metrics, and the answer: METRICS_TOKEN as a bearer token,
// compared in constant time. The figures say how busy the service is and
// which operations clients run, which is not for everyone.
import { createHash, timingSafeEqual } from "node:crypto";
import { jsonResponse } from "../rest/json.ts";
import { Response } from "../http/fetch-api.ts";

export const METRICS_PATH = "/metrics";

/** The exposition text and its content type: one registry's, or every worker's added up. */
export type ReadMetrics = () => Promise<{ text: string; contentType: string }>;

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Whether `Authorization` is `Bearer <token>`. Digests are compared, so neither the length nor a prefix of the token shows in the time taken. */
function bearerMatches(authorization: string | null, token: string): boolean {
  const sent = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "")?.[1];
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}

/** GET or HEAD /metrics: the figures, to a holder of the token when one is set. */
export async function serveMetrics(request: Request, token: string | null, read: ReadMetrics): Promise<Response> {
  if (token !== null && !bearerMatches(request.headers.get("authorization"), token)) {
    return jsonResponse(401, { detail: "Authentication credentials were not provided or are not METRICS_TOKEN." }, { headers: { "WWW-Authenticate": "Bearer" } });
  }
  const omitBody = request.method === "HEAD";
  if (request.method !== "GET" && !omitBody) {
    return jsonResponse(405, { detail: `Method ${JSON.stringify(request.method)} not allowed.` }, { headers: { Allow: "GET, HEAD" } });
  }
  const { text, contentType } = await read();
  return new Response(omitBody ? null : text, {
    status: 200,
    headers: { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(text)), "Cache-Control": "no-store" },
  });
}

