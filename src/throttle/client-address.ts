// Whose request it is, for the anonymous throttle: the socket's peer, or,
// behind TRUST_PROXY proxies, the address the outermost trusted one saw.
// proxy-addr is Express's own reading of X-Forwarded-For ("trust proxy" set
// to a number of hops): the list is read from the right, one entry per
// trusted hop, so that a client cannot choose its address by sending the
// header itself.
import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import type { ServerContext } from "../http/request-target.ts";

/** What in-process requests (tests, tools) count as: they have no socket. */
export const IN_PROCESS_ADDRESS = "in-process";

export function clientAddress(serverContext: ServerContext, trustedProxyHops: number): string {
  const req = serverContext.req;
  if (!req || !("socket" in req)) return IN_PROCESS_ADDRESS;
  return proxyAddr(req as IncomingMessage, (_address, hop) => hop < trustedProxyHops);
}
