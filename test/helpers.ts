// What every test file needs: a fresh, migrated database of its own, the app
// over it, and requests that read like a client's.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { runOnServer } from "../scripts/postgres-cluster.ts";
import { parseDatabaseUrl, type DatabaseTarget } from "../src/db/url.ts";
import type { PoolSettings } from "../src/db/adapter.ts";
import { createDatabase, type Database } from "../src/db/client.ts";
import { StatementRecorder } from "../src/db/statement-recorder.ts";
import { parseConfig } from "../src/env.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import type { LogLevel } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { createApp } from "../src/server.ts";

// Registered at the top level, so it runs once the whole test file is done
// (an after() called inside a before() hook would run right after that hook).
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export type TestDatabase = { target: DatabaseTarget; db: Database; recorder: StatementRecorder };

/** The engine this run tests: TEST_DATABASE=sqlite (default) or postgres (with TEST_POSTGRES_URL). */
export const TEST_ENGINE = process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

/**
 * An empty database of the engine under test, removed when the test file
 * ends: a new SQLite file, or a new database on the PostgreSQL server at
 * TEST_POSTGRES_URL (scripts/test-engines.ts starts one).
 */
/**
 * Waits until `condition` holds, asking it every `everyMs`; fails naming
 * `what` once `withinMs` have passed. For what happens beside the test: a
 * process starting, a notification arriving.
 */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { withinMs, everyMs = 100 }: { withinMs: number; everyMs?: number },
): Promise<void> {
  for (const started = Date.now(); !(await condition()); await new Promise((resolve) => setTimeout(resolve, everyMs))) {
    if (Date.now() - started > withinMs) throw new Error(`still waiting for ${what} after ${withinMs} ms`);
  }
}

export async function createEmptyDatabaseUrl(): Promise<string> {
  if (TEST_ENGINE === "sqlite") {
    const directory = mkdtempSync(join(tmpdir(), "users-gateway-test-"));
    // Retried: a service a test has just stopped may still be writing its last uses there.
    cleanups.push(async () => rmSync(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
    return `file:${join(directory, "test.db")}`;
  }
  const serverUrl = process.env.TEST_POSTGRES_URL;
  if (!serverUrl) throw new Error("TEST_DATABASE=postgres needs TEST_POSTGRES_URL: run the tests with npm test");
  const name = `test_${randomUUID().replaceAll("-", "")}`;
  await runOnServer(serverUrl, `CREATE DATABASE "${name}"`);
  cleanups.push(() => runOnServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}


/** A new database, migrated, with a client that records its SQL; `pool` as DATABASE_POOL_SIZE and its kin would set it. */
export async function createTestDatabase({ pool, watchChanges }: { pool?: PoolSettings; watchChanges?: boolean } = {}): Promise<TestDatabase> {
  const target = parseDatabaseUrl(await createEmptyDatabaseUrl());
  await applyMigrations(target);
  const recorder = new StatementRecorder();
  const db = createDatabase(target, { pool, wrapAdapter: recorder.wrap, watchChanges });
  // Runs before the database itself is removed: cleanups run last-in, first-out.
  cleanups.push(() => db.$disconnect());
  return { target, db, recorder };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** The app over a fresh database holding `fixture`; `env` adds configuration variables. */
export async function createTestApp(fixture: unknown, env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  await importFixture(database.db, parseFixture(fixture));
  // Compiled from an operation's first run, so that in-process tests answer
  // through graphql-jit; services the tests start keep the default, and serve
  // most operations by the executor (src/plugins/use-compiled-execution.ts).
  const config = parseConfig({ DATABASE_URL: database.target.url, LOG_LEVEL: "silent", GRAPHQL_COMPILE_AFTER: "0", ...env });
  const app = createApp({ db: database.db, config, logger: createLogger("silent") });
  const origin = "http://users.test";

  async function request(method: string, path: string, headers: Record<string, string> = {}) {
    return app.fetch(new Request(origin + path, { method, headers }));
  }

  async function graphql<Result, Variables>(
    document: TypedDocumentNode<Result, Variables> | string,
    variables: Variables | Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    const query = typeof document === "string" ? document : print(document);
    const response = await app.fetch(
      new Request(`${origin}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      }),
    );
    return (await response.json()) as {
      data?: Result | null;
      errors?: { message: string; path?: string[]; extensions?: { code?: string } }[];
    };
  }

  /** Another app over the same database, configured with `env` (the limits, trusted documents…). */
  const appWith = (otherEnv: Record<string, string>) =>
    createApp({
      db: database.db,
      config: parseConfig({ DATABASE_URL: database.target.url, LOG_LEVEL: "silent", GRAPHQL_COMPILE_AFTER: "0", ...otherEnv }),
      logger: createLogger("silent"),
    });

  return { ...database, app, config, request, graphql, appWith };
}

export const tokenHeader = (key: string) => ({ authorization: `Token ${key}` });

export type LogRecord = { level: string; msg: string; reqId?: string; err?: { message: string; stack: string } } & Record<string, unknown>;

/** A logger that keeps what it writes, one parsed JSON line a record, as the service writes them to stderr. */
export function collectingLogger(level: LogLevel = "debug") {
  const records: LogRecord[] = [];
  const logger = createLogger(level, { destination: { write: (line: string) => void records.push(JSON.parse(line)) } });
  return { logger, records };
}
