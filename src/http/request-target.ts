// What a request asks for is its request target, as the client sent it.
// Building a URL from it resolves `..` segments, turns `\` into `/` and puts
// the Host header in front, any of which would let a client reach a route by
// a path that does not name it. Routing reads the raw target instead.
import type { IncomingMessage } from "node:http";

/** What the Node server hands the fetch handler beside the Request (see src/http/node-server.ts); in-process requests have none. */
export type ServerContext = { req?: IncomingMessage };

/** The path as sent (without the query); in-process requests, which have no raw target, use their URL's. */
export function requestPath(request: Request, serverContext: ServerContext = {}): string {
  const raw = serverContext.req?.url;
  if (raw === undefined) return new URL(request.url).pathname;
  const query = raw.indexOf("?");
  return query < 0 ? raw : raw.slice(0, query);
}

/**
 * Only the origin form (`/path?query`) names a resource of this server; the
 * absolute form (`http://other/path`) is for proxies, and `*` for OPTIONS of
 * the server as a whole.
 */
export function isOriginForm(target: string | undefined): boolean {
  return target !== undefined && target.startsWith("/");
}
