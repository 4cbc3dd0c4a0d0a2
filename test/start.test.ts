// `npm start` as an operator meets it: when the demo data (and its public
// admin key) may be loaded, the banner, a port in use, the SQLite file's mode.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { createDatabase } from "../src/db/client.ts";
import { DEMO_ADMIN_KEY } from "../src/fixtures/demo-data.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { createEmptyDatabaseUrl, TEST_ENGINE, tokenHeader } from "./helpers.ts";
import { logRecords, startService, type ServiceProcess } from "./service-process.ts";

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
function newFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "users-gateway-start-"));
  folders.push(folder);
  return folder;
}

/** Starts the service, waits until it listens, and returns what it printed by then with its origin. */
async function started(env: Record<string, string>, options: { cwd?: string } = {}) {
  const service = startService(env, options);
  const origin = await service.origin;
  return { service, origin };
}

async function stop(service: ServiceProcess): Promise<string> {
  service.child.kill("SIGTERM");
  return (await service.exited).output;
}

type Startup = Record<"database" | "migrations" | "demoData" | "processes" | "graphql" | "graphiql", string>;

/** The banner's fields, from the one record that has them (the log is JSON lines when stderr is not a terminal). */
function startupOf(output: string): Startup {
  const banners = logRecords(output).filter((record) => record.startup);
  assert.equal(banners.length, 1, `one banner in:\n${output}`);
  return banners[0]!.startup as Startup;
}

/** Whether the published demo admin key reads users here, which it does only where the demo data is loaded. */
async function demoKeyOpens(origin: string): Promise<boolean> {
  const response = await fetch(`${origin}/api/users/4/`, { headers: tokenHeader(DEMO_ADMIN_KEY) });
  return response.status === 200;
}

async function graphiqlDefaultQuery(origin: string): Promise<string> {
  const page = await (await fetch(`${origin}/graphql`, { headers: { accept: "text/html" } })).text();
  const options = /<script type="application\/json" id="graphiql-options">(.*?)<\/script>/s.exec(page)?.[1];
  assert.ok(options, "the page carries GraphiQL's options");
  return JSON.parse(options).defaultQuery as string;
}

describe("demo data and its public key", () => {
  test(`an empty ${TEST_ENGINE} database named by DATABASE_URL gets no demo data, and GraphiQL shows no key`, async () => {
    const { service, origin } = await started({ DATABASE_URL: await createEmptyDatabaseUrl() });
    try {
      assert.equal(await demoKeyOpens(origin), false, "the published demo key must not open it");
      assert.doesNotMatch(await graphiqlDefaultQuery(origin), new RegExp(DEMO_ADMIN_KEY));
    } finally {
      assert.match(startupOf(await stop(service)).demoData, /^not loaded/);
    }
  });

  test("DEMO_DATA=true loads it into an empty database and GraphiQL then shows the key", async () => {
    const { service, origin } = await started({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true" });
    try {
      assert.equal(await demoKeyOpens(origin), true);
      assert.match(await graphiqlDefaultQuery(origin), new RegExp(DEMO_ADMIN_KEY));
    } finally {
      assert.match(startupOf(await stop(service)).demoData, /^loaded now \(4 users\)/);
    }
  });

  test("the default SQLite file gets it when new, and never again once emptied by an import", { skip: TEST_ENGINE !== "sqlite" && "the default database is SQLite" }, async () => {
    const cwd = newFolder();
    const environment = { DATABASE_URL: "" }; // Unset: the default ./data/users-gateway.db under cwd.
    const first = await started(environment, { cwd });
    assert.equal(await demoKeyOpens(first.origin), true);
    const banner = startupOf(await stop(first.service));
    assert.equal(banner.database, `SQLite file ${join(cwd, "data", "users-gateway.db")}`);
    assert.equal(banner.migrations, "applied 20261128000000_init, 20261129000000_token_expiry_and_last_use");

    const db = createDatabase(parseDatabaseUrl(`file:${join(cwd, "data", "users-gateway.db")}`));
    try {
      await importFixture(db, parseFixture({}));
    } finally {
      await db.$disconnect();
    }
    const second = await started(environment, { cwd });
    try {
      assert.equal(await demoKeyOpens(second.origin), false);
    } finally {
      const banner = startupOf(await stop(second.service));
      assert.equal(banner.migrations, "none pending");
      assert.match(banner.demoData, /^not loaded/);
    }
  });

  test("DEMO_DATA=false keeps even a new default file empty", { skip: TEST_ENGINE !== "sqlite" && "the default database is SQLite" }, async () => {
    const { service, origin } = await started({ DATABASE_URL: "", DEMO_DATA: "false" }, { cwd: newFolder() });
    try {
      assert.equal(await demoKeyOpens(origin), false);
    } finally {
      assert.equal(startupOf(await stop(service)).demoData, "not loaded (DEMO_DATA=false)");
    }
  });
});

describe("the start explains itself", () => {
  test("one banner: database, migrations, demo data, GraphQL and GraphiQL URLs", async () => {
    const { service, origin } = await started({ DATABASE_URL: await createEmptyDatabaseUrl(), GRAPHIQL: "false" });
    const port = new URL(origin).port;
    const output = await stop(service);
    const banner = logRecords(output).find((record) => record.startup)!;
    assert.equal(banner.level, "info");
    assert.equal(banner.msg, `users-gateway listening on http://127.0.0.1:${port}`);
    const startup = startupOf(output);
    assert.match(startup.database, /^(SQLite file \/|PostgreSQL postgresql:\/\/)/);
    assert.match(startup.migrations, /^applied \S+/);
    assert.equal(startup.processes, "1 (WEB_CONCURRENCY=N runs N workers)");
    assert.equal(startup.graphql, `http://127.0.0.1:${port}/graphql`);
    assert.equal(startup.graphiql, "off (GRAPHIQL=false)");
  });

  test("in a terminal's form (LOG_FORMAT=pretty) the banner is a table under its first line", async () => {
    const { service, origin } = await started({ DATABASE_URL: await createEmptyDatabaseUrl(), GRAPHIQL: "false", LOG_FORMAT: "pretty" });
    const port = new URL(origin).port;
    const response = await fetch(`${origin}/api/users/1/`, { headers: { "X-Request-Id": "pretty-1" } });
    assert.equal(response.status, 401);
    const output = await stop(service);
    assert.doesNotMatch(output, /^\{/m, "no JSON line");
    const lines = output.split("\n");
    const first = lines.findIndex((line) => line.includes("listening on"));
    assert.match(lines[first]!, new RegExp(`^\\[[\\d:.]+\\] INFO: users-gateway listening on http://127\\.0\\.0\\.1:${port}$`));
    assert.match(lines[first + 1]!, /^  database    (SQLite file \/|PostgreSQL postgresql:\/\/)/);
    assert.match(lines[first + 2]!, /^  migrations  applied \S+/);
    assert.match(lines[first + 3]!, /^  demo data   not loaded/);
    assert.equal(lines[first + 4], "  processes   1 (WEB_CONCURRENCY=N runs N workers)");
    assert.equal(lines[first + 5], `  GraphQL     http://127.0.0.1:${port}/graphql`);
    assert.equal(lines[first + 6], "  GraphiQL    off (GRAPHIQL=false)");
    // A request is one line too.
    assert.match(output, /^\[[\d:.]+\] INFO: GET \/api\/users\/\{id\}\/ 401 [\d.]+ ms  pretty-1$/m);
  });

  test("a port in use is one line, not a stack trace", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), PORT: String(port) });
      const { code, output } = await service.exited;
      assert.equal(code, 1);
      const last = output.trim().split("\n").at(-1)!;
      assert.equal(last, `users-gateway could not start: port ${port} on 127.0.0.1 is already in use (is another instance running? set PORT to another port)`);
      assert.doesNotMatch(output, /\n\s+at /, "no stack trace");
    } finally {
      blocker.close();
    }
  });

  test("on PostgreSQL it warns when neither ALLOWED_HOSTS nor PUBLIC_URL is set", { skip: TEST_ENGINE !== "postgres" && "a PostgreSQL start" }, async () => {
    const url = await createEmptyDatabaseUrl();
    const bare = await started({ DATABASE_URL: url });
    assert.match(await stop(bare.service), /Neither ALLOWED_HOSTS nor PUBLIC_URL is set/);
    const configured = await started({ DATABASE_URL: url, ALLOWED_HOSTS: "users.example.com" });
    assert.doesNotMatch(await stop(configured.service), /Neither ALLOWED_HOSTS nor PUBLIC_URL/);
  });
});

describe("the SQLite file", { skip: TEST_ENGINE !== "sqlite" && "SQLite only" }, () => {
  test("is created readable by its owner only, as are its WAL files and the default folder", async () => {
    const cwd = newFolder();
    const { service, origin } = await started({ DATABASE_URL: "", DEMO_DATA: "true" }, { cwd });
    try {
      // A request that writes (the requester's last_seen_at), so journal files come and go.
      assert.equal((await fetch(`${origin}/api/users/2/`, { headers: tokenHeader(DEMO_ADMIN_KEY) })).status, 200);
      // With the write-ahead log and its index beside it (WAL mode, src/db/adapter.ts).
      for (const file of ["users-gateway.db", "users-gateway.db-wal", "users-gateway.db-shm"]) {
        assert.equal(statSync(join(cwd, "data", file)).mode & 0o777, 0o600, file);
      }
      assert.equal(statSync(join(cwd, "data")).mode & 0o777, 0o700);
    } finally {
      await stop(service);
    }
  });
});
