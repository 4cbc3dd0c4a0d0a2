// Starts the service: configuration, migrations, demo data on an empty
// database, then the port. On SIGTERM or SIGINT it stops accepting, lets the
// requests under way finish, and disconnects.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { createServerAdapter } from "@whatwg-node/server";
import { createDatabase } from "./db.ts";
import { ConfigError, parseConfig } from "./env.ts";
import { importFixture } from "./fixtures/import-fixture.ts";
import { readFixtureFile } from "./fixtures/parse-fixture.ts";
import { createLogger } from "./logger.ts";
import { applyMigrations } from "./migrate.ts";
import { createApp } from "./server.ts";
import { waitForDatabase } from "./wait-for-database.ts";

const DEMO_FIXTURE = fileURLToPath(new URL("../prisma/demo-fixture.json", import.meta.url));

async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  const db = createDatabase(config.database, { pool: config.pool });
  await waitForDatabase(db, config.database, config.databaseStartAttempts, logger);
  await applyMigrations(config.database);
  if ((await db.user.count()) === 0) {
    const counts = await importFixture(db, await readFixtureFile(DEMO_FIXTURE));
    logger.info(`Empty database: loaded the demo data (${counts.users} users).`);
  }

  const app = createApp({ db, config, logger });
  const server = createServer(createServerAdapter(app.fetch));
  server.listen(config.http.port, config.http.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.http.port;
    logger.info(`users-gateway listening on http://${config.http.host}:${port} (GraphQL at /graphql, ${config.database.engine})`);
  });

  const shutdown = (signal: string) => {
    logger.info(`${signal}: draining requests, then stopping.`);
    server.close(async () => {
      await db.$disconnect();
      process.exit(0);
    });
    server.closeIdleConnections();
    // Keep-alive sockets that never go idle must not hold the process forever.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  console.error(`users-gateway could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
