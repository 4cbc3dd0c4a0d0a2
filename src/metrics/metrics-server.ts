// METRICS_PORT: the figures on a port of their own (bound to HOST), for a
// scraper on a network that clients do not reach. It answers /metrics only,
// and still asks for METRICS_TOKEN when that is set too.
import { createServer, type Server } from "node:http";
import { createServerAdapter } from "@whatwg-node/server";
import { notFoundResponse } from "../rest/json.ts";
import { METRICS_PATH, serveMetrics, type ReadMetrics } from "./scrape.ts";
import { Response } from "../http/fetch-api.ts";

export function createMetricsServer(token: string | null, read: ReadMetrics): Server {
  const adapter = createServerAdapter(async (request: Request) => {
    if (new URL(request.url).pathname !== METRICS_PATH) return notFoundResponse(request.method === "HEAD");
    try {
      return await serveMetrics(request, token, read);
    } catch {
      // A worker that did not answer in time: the scrape fails, and the next one tries again.
      return new Response("metrics could not be collected\n", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
  });
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, adapter);
  server.keepAliveTimeout = 5_000;
  return server;
}

/** Listens on `port` at `host`; rejects with the reason it cannot. */
export function listenForMetrics(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = `METRICS_PORT ${port} on ${host}`;
      reject(new Error(error.code === "EADDRINUSE" ? `${where} is already in use` : `${where} cannot be opened: ${error.message}`));
    });
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}
