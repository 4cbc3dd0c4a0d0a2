// Faults on a real PostgreSQL server that this file starts and stops itself:
// unreachable at start, gone while serving, back again.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createPostgresCluster, freePort, type PostgresCluster } from "../scripts/postgres-cluster.ts";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { createDatabase } from "../src/db/client.ts";
import { parseConfig } from "../src/env.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { createLogger } from "../src/logger.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { createApp } from "../src/server.ts";
import { DEMO_FIXTURE, SEED_TOKEN } from "./fixtures/directory.ts";
import { TEST_ENGINE } from "./helpers.ts";
import { startService } from "./service-process.ts";

const skip = TEST_ENGINE !== "postgres" && "PostgreSQL faults run in the postgres pass of npm test";

describe("PostgreSQL unreachable at start", { skip }, () => {
  test("a few retries with backoff, then one clear line and exit 1", async () => {
    const port = await freePort();
    const { exited } = startService({
      DATABASE_URL: `postgresql://postgres:secret@127.0.0.1:${port}/postgres`,
      DATABASE_START_ATTEMPTS: "3",
    });
    const result = await exited;
    assert.equal(result.code, 1);
    const lines = result.output.trim().split("\n");
    assert.equal(lines.filter((line) => /did not answer \(attempt \d of 3\)/.test(line)).length, 2);
    assert.match(lines.at(-1)!, /^users-gateway could not start: the database at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres did not answer after 3 attempts/);
    assert.doesNotMatch(result.output, /secret/);
  });
});

describe("PostgreSQL going away while serving", { skip }, () => {
  let cluster: PostgresCluster;
  let app: ReturnType<typeof createApp>;
  let db: ReturnType<typeof createDatabase>;
  before(async () => {
    cluster = await createPostgresCluster();
    const target = parseDatabaseUrl(cluster.url);
    await applyMigrations(target);
    const config = parseConfig({ DATABASE_URL: cluster.url, LOG_LEVEL: "silent", DATABASE_CONNECT_TIMEOUT_MS: "2000" });
    db = createDatabase(target, { pool: config.pool });
    await importFixture(db, parseFixture(DEMO_FIXTURE));
    app = createApp({ db, config, logger: createLogger("silent") });
  });
  after(async () => {
    await db?.$disconnect();
    cluster?.destroy();
  });

  const rest = () =>
    app.fetch(new Request("http://users.test/api/users/2/", { headers: { authorization: `Token ${SEED_TOKEN}` } }));
  const graphql = async () => {
    const response = await app.fetch(
      new Request("http://users.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Token ${SEED_TOKEN}` },
        body: JSON.stringify({ query: "{ user(id: 2) { username } }" }),
      }),
    );
    return (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  };

  test("503 with a detail on REST, SERVICE_UNAVAILABLE in GraphQL, then answers again once it is back", { timeout: 60_000 }, async () => {
    assert.equal((await rest()).status, 200);

    cluster.stop();
    const down = await rest();
    assert.equal(down.status, 503);
    assert.equal(down.headers.get("allow"), "GET, HEAD, OPTIONS");
    assert.deepEqual(await down.json(), { detail: "The database is unavailable. Try again shortly." });
    const graphqlDown = await graphql();
    assert.equal(graphqlDown.errors?.[0]?.extensions?.code, "SERVICE_UNAVAILABLE");
    assert.doesNotMatch(JSON.stringify(graphqlDown), /127\.0\.0\.1|ECONNREFUSED|prisma/i);
    assert.equal((await app.fetch(new Request("http://users.test/healthz"))).status, 503);

    cluster.start();
    const back = await rest();
    assert.equal(back.status, 200);
    assert.equal((await back.json()).username, "moratti120");
    assert.deepEqual((await graphql()).data, { user: { username: "moratti120" } });
  });

  test("a service started while the server is down waits for it", { timeout: 60_000 }, async () => {
    cluster.stop();
    const { child, origin, sees } = startService({ DATABASE_URL: cluster.url, DATABASE_START_ATTEMPTS: "8" });
    try {
      const retried = await Promise.race([sees(/did not answer \(attempt 1 of 8\)/).then(() => true), origin.then(() => false)]);
      assert.ok(retried, "it found the server down and said so");
      cluster.start();
      const listening = await origin;
      assert.equal((await fetch(`${listening}/healthz`)).status, 200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
