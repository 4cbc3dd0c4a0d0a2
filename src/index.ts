// Starts the service: configuration, migrations, demo data where the rule
// allows it, then the port and one banner that says what runs. On SIGTERM or
// SIGINT it stops accepting, lets the requests under way finish, and disconnects.
// With WEB_CONCURRENCY > 1 the starting process prepares the database, then
// node:cluster workers serve the port (src/workers.ts), each from this file.
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { describeDatabase } from "./db/url.ts";
import { createDatabase, type Database } from "./db/client.ts";
import { ConfigError, parseConfig, type Config } from "./env.ts";
import { demoKeyIsActive, loadDemoData } from "./fixtures/demo-data.ts";
import { keepWasmBaselineOnly, limitHeapGrowth } from "./heap-growth.ts";
import { createHttpServer } from "./http/node-server.ts";
import { createLogger, type Logger } from "./logger.ts";
import { aggregateWorkerMetrics } from "./metrics/cluster-metrics.ts";
import { createMetricsServer, listenForMetrics } from "./metrics/metrics-server.ts";
import type { ReadMetrics } from "./metrics/scrape.ts";
import { applyMigrations } from "./db/migrate.ts";
import { createApp } from "./server.ts";
import { waitForDatabase } from "./db/wait.ts";
import { keepThrottleCountsForWorkers } from "./throttle/throttle.ts";
import { startWorkers } from "./workers.ts";

class StartError extends Error {}

/**
 * The demo data's admin key is public, so it is loaded only where nobody can
 * mistake it for real data: a new default SQLite file (a first `npm start`),
 * or any empty database when DEMO_DATA=true asks for it. Never into a
 * database that was emptied on purpose, such as by importing an empty file.
 */
async function applyDemoDataRule(db: Database, config: Config, isNewDefaultFile: boolean): Promise<string> {
  if (config.demoData === false) return "not loaded (DEMO_DATA=false)";
  if (config.demoData === "auto" && !isNewDefaultFile) {
    return "not loaded (only a new default SQLite file gets it; DEMO_DATA=true loads it into an empty database)";
  }
  const users = await db.user.count();
  if (users > 0) return `not loaded (the database already has ${users} users)`;
  const counts = await loadDemoData(db);
  return `loaded now (${counts.users} users); its admin key is public: never let it open a real database`;
}

function listenUrl(config: Config, address: AddressInfo): string {
  const wildcard = config.http.host === "0.0.0.0" || config.http.host === "::";
  const host = wildcard ? "localhost" : address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function readConfig(): Config {
  try {
    return parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Migrations and the demo data rule, once per start, before any request is served. */
async function prepareDatabase(db: Database, config: Config, logger: Logger, isNewDefaultFile: boolean) {
  await waitForDatabase(db, config.database, config.databaseStartAttempts, logger);
  const applied = await applyMigrations(config.database, db);
  const demoData = await applyDemoDataRule(db, config, isNewDefaultFile);
  return { applied, demoData };
}

/** METRICS_PORT's server, listening; null when the figures are served on the main port, or not at all. */
async function serveMetricsPort(config: Config, read: ReadMetrics | null) {
  if (config.metrics.port === null || read === null) return null;
  const server = createMetricsServer(config.metrics.token, read);
  const port = await listenForMetrics(server, config.metrics.port, config.http.host);
  return { server, port };
}

/** Serves the app on the port until SIGTERM or SIGINT, then drains and exits; resolves once listening. */
async function serve(db: Database, config: Config, logger: Logger): Promise<{ address: AddressInfo; showDemoKey: boolean; metricsPort: number | null }> {
  const showDemoKey = await demoKeyIsActive(db);
  const app = createApp({ db, config, logger, showDemoKey });
  await app.ready();
  // A worker's primary serves METRICS_PORT, with every worker's figures.
  const metricsServer = cluster.isWorker ? null : await serveMetricsPort(config, app.readMetrics);
  const server = createHttpServer(app.fetch, config.http, logger);
  // Before the signal handlers: a shutdown waits for the listen to settle.
  const listened = new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = `port ${config.http.port} on ${config.http.host}`;
      if (error.code === "EADDRINUSE") reject(new StartError(`${where} is already in use (is another instance running? set PORT to another port)`));
      else if (error.code === "EACCES") reject(new StartError(`${where} may not be opened by this user (ports under 1024 need privileges; set PORT)`));
      else if (error.code === "EADDRNOTAVAIL") reject(new StartError(`HOST ${config.http.host} is not an address of this machine`));
      else reject(error);
    });
    server.listen(config.http.port, config.http.host, resolve);
  });
  // Registered before the port opens: a SIGTERM sent as soon as the service
  // says it listens must drain it, not kill it halfway through its banner.
  let stopping = false;
  const shutdown = async (signal: string) => {
    // Once: a worker gets the terminal's SIGINT and its primary's SIGTERM.
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining requests, then stopping.`);
    metricsServer?.server.close();
    metricsServer?.server.closeIdleConnections();
    // A worker asks its primary for the port; closing the server before the
    // answer comes crashes Node 20's cluster code when the answer is a
    // failure (it closes a handle that is null). So wait for the listen to
    // settle; when it fails, the start fails with its reason (main, below).
    if (!(await listened.then(() => true, () => false))) return;
    server.close(async () => {
      await app.close();
      await db.$disconnect();
      process.exit(0);
    });
    server.closeIdleConnections();
    // Keep-alive sockets that never go idle must not hold the process forever.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  await listened;
  return { address: server.address() as AddressInfo, showDemoKey, metricsPort: metricsServer?.port ?? null };
}

function describeMetrics(config: Config, url: string, metricsPort: number | null): string {
  if (metricsPort !== null) {
    const host = config.http.host === "0.0.0.0" || config.http.host === "::" ? "localhost" : config.http.host.includes(":") ? `[${config.http.host}]` : config.http.host;
    return `http://${host}:${metricsPort}/metrics${config.metrics.token ? " (with METRICS_TOKEN as a bearer token)" : ""}`;
  }
  if (config.metrics.token) return `${url}/metrics (with METRICS_TOKEN as a bearer token)`;
  return "off (METRICS_TOKEN or METRICS_PORT turns them on)";
}

async function main() {
  limitHeapGrowth();
  keepWasmBaselineOnly();
  const config = readConfig();
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  // Read before the client below creates the file.
  const isNewDefaultFile = config.databaseIsDefault && config.database.engine === "sqlite" && !existsSync(config.database.filename);
  // watchChanges: the requester cache's version, on PostgreSQL (src/auth/requester-cache.ts).
  const db = createDatabase(config.database, { pool: config.pool, watchChanges: true });
  // A worker serves a database its primary has prepared.
  if (cluster.isWorker) {
    await serve(db, config, logger);
    return;
  }
  const { applied, demoData } = await prepareDatabase(db, config, logger, isNewDefaultFile);
  let address: AddressInfo;
  let showDemoKey: boolean;
  let metricsPort: number | null;
  const metricsOn = config.metrics.token !== null || config.metrics.port !== null;
  if (config.webConcurrency === 1) {
    ({ address, showDemoKey, metricsPort } = await serve(db, config, logger));
  } else {
    showDemoKey = await demoKeyIsActive(db);
    // The workers open their own connections; the primary serves nothing but METRICS_PORT.
    await db.$disconnect();
    keepThrottleCountsForWorkers(config.throttle);
    // Opened before the workers start, so that a METRICS_PORT in use stops the start at once.
    metricsPort = (await serveMetricsPort(config, metricsOn ? aggregateWorkerMetrics() : null))?.port ?? null;
    address = await startWorkers(config.webConcurrency, logger);
  }

  const url = listenUrl(config, address);
  const engine = config.database.engine === "sqlite" ? "SQLite file" : "PostgreSQL";
  // One record: its message for whoever greps for the address, its fields
  // for a collector, and a table under the message in a terminal (src/logger.ts).
  logger.info(
    {
      startup: {
        database: `${engine} ${describeDatabase(config.database)}`,
        migrations: applied.length > 0 ? `applied ${applied.join(", ")}` : "none pending",
        demoData,
        processes: config.webConcurrency === 1 ? "1 (WEB_CONCURRENCY=N runs N workers)" : `${config.webConcurrency} workers`,
        graphql: `${url}/graphql`,
        graphiql: config.graphql.graphiql
          ? `${url}/graphql (open in a browser)`
          : config.graphql.trustedDocuments
            ? "off (trusted documents only)"
            : "off (GRAPHIQL=false)",
        trustedDocuments: config.graphql.trustedDocuments
          ? `${config.graphql.trustedDocuments.documents.size} from ${config.graphql.trustedDocuments.path}, no other document runs`
          : "off (any document runs)",
        metrics: describeMetrics(config, url, metricsPort),
      },
    },
    `users-gateway listening on http://${config.http.host}:${address.port}`,
  );
  if (config.database.engine === "postgres") {
    if (showDemoKey) logger.warn("The demo admin's public key opens this PostgreSQL database: import your own data, which replaces every token.");
    if (!config.http.allowedHosts && !config.publicUrl) {
      logger.warn("Neither ALLOWED_HOSTS nor PUBLIC_URL is set: any Host header is accepted and shapes avatar URLs. Set them in production.");
    }
  }
}

main().catch((error) => {
  console.error(`users-gateway could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
