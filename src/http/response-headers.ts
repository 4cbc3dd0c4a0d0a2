// Headers every response carries, and CORS for the browser origins the
// operator lists in CORS_ORIGINS.
//
// Written here rather than taken from Yoga's `cors` option (or
// @whatwg-node/server's useCORS, which it uses): that one covers only
// /graphql, allows every origin with credentials by default, and given a
// list of one origin sends it to any requester. Here one rule covers every
// route: no CORS headers at all unless CORS_ORIGINS is set, then only for a
// listed origin, without credentials (the API takes a token header, never a
// cookie).

/**
 * Django's defaults for a new project (SecurityMiddleware and
 * XFrameOptionsMiddleware), which the service this one replaces sent, plus
 * a policy that lets an API answer load nothing and be framed nowhere. The
 * GraphiQL page sets its own Content-Security-Policy (src/graphiql.ts).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
};
const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** What a browser may send cross-origin, and how long it may cache a preflight's answer. */
const CORS_ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS";
const CORS_ALLOWED_HEADERS = "Authorization, Content-Type, Accept, X-Request-Id";
const CORS_MAX_AGE_SECONDS = "600";
const CORS_EXPOSED_HEADERS = "X-Request-Id";

/** A CORS preflight: OPTIONS from a browser asking whether it may send the real request. */
export function isCorsPreflight(request: Request): boolean {
  return (
    request.method === "OPTIONS" && request.headers.has("origin") && request.headers.has("access-control-request-method")
  );
}

/** Sets the security headers (keeping a policy the route set) and, for a listed origin, CORS's. */
export function addResponseHeaders(response: Response, request: Request, corsOrigins: readonly string[]): Response {
  const headers = response.headers;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  if (!headers.has("content-security-policy")) headers.set("Content-Security-Policy", API_CONTENT_SECURITY_POLICY);
  if (corsOrigins.length === 0) return response;
  // Whether the CORS headers come depends on the Origin: caches must keep the answers apart.
  headers.set("Vary", headers.has("vary") ? `${headers.get("vary")}, Origin` : "Origin");
  const origin = request.headers.get("origin");
  if (origin === null || !corsOrigins.includes(origin)) return response;
  headers.set("Access-Control-Allow-Origin", origin);
  if (isCorsPreflight(request)) {
    headers.set("Access-Control-Allow-Methods", CORS_ALLOWED_METHODS);
    headers.set("Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS);
    headers.set("Access-Control-Max-Age", CORS_MAX_AGE_SECONDS);
  } else {
    // So that the page can quote the id of a request that went wrong (src/http/request-log.ts).
    headers.set("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS);
  }
  return response;
}
