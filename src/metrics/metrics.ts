// The service's Prometheus figures, in one prom-client registry per app:
// every HTTP request by route template, method and status (count and
// latency), Node's process figures (prom-client's defaults), and the
// PostgreSQL pool's connections. The GraphQL figures (by operation, errors
// by code) are src/plugins/use-metrics.ts's, in the same registry.
//
// Made only when METRICS_TOKEN or METRICS_PORT is set: otherwise nothing is
// registered and a request costs nothing more (src/server.ts checks for null).
import cluster from "node:cluster";
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { poolFigures, type Database } from "../db/client.ts";

export type Metrics = {
  registry: Registry;
  /** One answered request. `route` is the template the path matched (never the path), undefined for none. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void;
};

// A method is whatever token a client sends: any other than these is "other",
// so that no client can add series.
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Seconds; from a cached health check (about a millisecond) to a slow page of users. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(db: Database): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({ name: "http_requests_total", help: "HTTP requests answered, by route template, method and status.", labelNames, registers: [registry] });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from a request's arrival to its answer's headers, by route template, method and status.",
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  if (poolFigures(db)) {
    // Read when scraped, never per request. Summed over workers, they are the instance's connections.
    const gauge = (name: string, help: string, read: (figures: NonNullable<ReturnType<typeof poolFigures>>) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const figures = poolFigures(db);
          if (figures) this.set(read(figures));
        },
      });
    gauge("db_pool_connections", "PostgreSQL connections the pool holds open.", (figures) => figures.total);
    gauge("db_pool_idle_connections", "Open PostgreSQL connections not in use.", (figures) => figures.idle);
    gauge("db_pool_waiting_requests", "Queries waiting for a connection because all are in use.", (figures) => figures.waiting);
    gauge("db_pool_max_connections", "The most connections the pool may open (DATABASE_POOL_SIZE).", (figures) => figures.max);
  }

  // A worker's figures are collected by its primary, over node:cluster's IPC
  // (src/metrics/cluster-metrics.ts), through prom-client's own listener,
  // which only an AggregatorRegistry's constructor installs, in any process.
  if (cluster.isWorker) {
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const labels = { method: METHODS.has(method) ? method : "other", route: route ?? "unmatched", status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}
