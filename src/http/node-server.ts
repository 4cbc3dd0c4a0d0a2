// The Node HTTP server in front of the fetch handler (src/server.ts): its
// timeouts, and the checks that must run before a Request can even be built.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServerAdapter } from "@whatwg-node/server";
import type { Config } from "../env.ts";
import { badRequestDetail } from "../errors.ts";
import { renderDrfJson } from "../rest/json.ts";
import { hostName } from "./hosts.ts";
import { isOriginForm, type ServerContext } from "./request-target.ts";

type FetchHandler = (request: Request, serverContext: ServerContext) => Promise<Response>;

/** Why a request is refused before it reaches the app; null when it may go on. */
function refusal(request: IncomingMessage): string | null {
  if (!isOriginForm(request.url)) return badRequestDetail.requestTarget;
  const host = request.headers.host;
  // An HTTP/1.0 request may leave Host out; Node refuses an HTTP/1.1 one without it.
  if (host !== undefined && hostName(host) === null) return badRequestDetail.malformedHost;
  return null;
}

function refuse(response: ServerResponse, detail: string) {
  const body = renderDrfJson({ detail });
  response.writeHead(400, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), Connection: "close" });
  response.end(body);
}

export function createHttpServer(fetch: FetchHandler, http: Config["http"]): Server {
  const adapter = createServerAdapter<ServerContext>(fetch);
  const server = createServer(
    {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      // How often Node checks the two timeouts above (its default, 30 s, would let a slow client hold a socket that long past them).
      connectionsCheckingInterval: Math.min(1_000, http.headersTimeoutMs),
      // Repeated headers are joined with ", " as gunicorn joins them, instead
      // of Node's default of keeping the first Authorization: two tokens then
      // read as one header with spaces, which DRF refuses (401).
      joinDuplicateHeaders: true,
    },
    (request, response) => {
      const detail = refusal(request);
      if (detail) refuse(response, detail);
      else void adapter(request, response);
    },
  );
  server.keepAliveTimeout = http.keepAliveTimeoutMs;
  return server;
}
