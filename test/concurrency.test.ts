// Several instances over one database: the same answers, and writes that
// race never leave half-written data.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { createDatabase, type Database } from "../src/db/client.ts";
import { createToken } from "../src/cli/tokens.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { DEMO_FIXTURE, directoryFixture, SEED_TOKEN } from "./fixtures/directory.ts";
import { createEmptyDatabaseUrl, createTestApp, tokenHeader } from "./helpers.ts";
import { startService } from "./service-process.ts";

describe("two instances on two ports over one database", () => {
  const instances: ChildProcess[] = [];
  let origins: string[];
  before(async () => {
    const databaseUrl = await createEmptyDatabaseUrl();
    // Started together on an empty database: both migrate and may both load the demo data.
    // Behind a load balancer every instance is told the one public origin.
    const instance = () => startService({ DATABASE_URL: databaseUrl, DEMO_DATA: "true", PUBLIC_URL: "https://users.example.com" });
    const started = [instance(), instance()];
    instances.push(...started.map((instance) => instance.child));
    origins = await Promise.all(started.map((instance) => instance.origin));
  });
  after(() => {
    for (const child of instances) child.kill("SIGTERM");
  });

  test("answer the same requests identically", async () => {
    const requests: [string, RequestInit][] = [
      ["/api/users/2/", { headers: tokenHeader(SEED_TOKEN) }],
      ["/api/users/1", { headers: tokenHeader(SEED_TOKEN) }],
      ["/api/users/3/", { headers: tokenHeader(SEED_TOKEN) }],
      ["/api/users/2/", {}],
      ["/api/users/2/", { method: "DELETE", headers: tokenHeader(SEED_TOKEN) }],
      [
        "/graphql",
        {
          method: "POST",
          headers: { "content-type": "application/json", ...tokenHeader(SEED_TOKEN) },
          body: JSON.stringify({ query: "{ a: user(id: 1) { username invitees { username } } b: user(id: 2) { fullName groups { name } permissions { code } } }" }),
        },
      ],
    ];
    for (const [path, init] of requests) {
      const [first, second] = await Promise.all(origins.map((origin) => fetch(origin + path, init)));
      assert.equal(first!.status, second!.status, path);
      assert.equal(await first!.text(), await second!.text(), path);
    }
  });
});

describe("racing writes", () => {
  let url: string;
  const clients: Database[] = [];
  before(async () => {
    url = await createEmptyDatabaseUrl();
    await applyMigrations(parseDatabaseUrl(url));
    // Two clients, two pools: as two instances would hold them.
    clients.push(createDatabase(parseDatabaseUrl(url)), createDatabase(parseDatabaseUrl(url)));
  });
  after(async () => {
    for (const client of clients) await client.$disconnect();
  });

  const snapshot = async (db: Database) => ({
    usernames: (await db.user.findMany({ orderBy: { id: "asc" }, select: { username: true } })).map((u) => u.username),
    groups: await db.group.count(),
    permissions: await db.permission.count(),
    tokens: await db.apiToken.count(),
    memberships: (await db.user.findMany({ select: { id: true, groups: { select: { id: true } } }, orderBy: { id: "asc" } })).map(
      (u) => `${u.id}:${u.groups.map((g) => g.id).join(",")}`,
    ),
  });

  test("concurrent imports leave exactly one whole fixture, never a mix", { timeout: 120_000 }, async () => {
    const fixtures = [parseFixture(DEMO_FIXTURE), parseFixture(directoryFixture())];
    // What each fixture looks like alone, imported on its own.
    const expected = [];
    for (const fixture of fixtures) {
      await importFixture(clients[0]!, fixture);
      expected.push(await snapshot(clients[0]!));
    }
    const outcomes = await Promise.allSettled(
      [0, 1, 0, 1].map((which, i) => importFixture(clients[i % 2]!, fixtures[which]!)),
    );
    assert.ok(outcomes.some((outcome) => outcome.status === "fulfilled"), "at least one import lands");
    const final = await snapshot(clients[0]!);
    assert.ok(
      expected.some((whole) => JSON.stringify(whole) === JSON.stringify(final)),
      `the data is one fixture whole: ${JSON.stringify(final)}`,
    );
  });

  test("ids generated after an import follow the fixture's ids", async () => {
    await importFixture(clients[0]!, parseFixture(directoryFixture()));
    const created = await clients[1]!.user.create({ data: { username: "new-after-import", gender: "other" } });
    assert.ok(created.id > 17, `new id ${created.id} is past the imported ones`);
    const group = await clients[1]!.group.create({ data: { name: "new group" } });
    assert.ok(group.id > 3);
  });

  test("concurrent token creations each land whole, and every key authenticates", async () => {
    await importFixture(clients[0]!, parseFixture(directoryFixture()));
    const before = await clients[0]!.apiToken.count();
    const keys = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createToken(clients[i % 2]!, i % 3 === 0 ? "admin" : "direct-reader")),
    );
    assert.equal(new Set(keys).size, 20);
    assert.equal(await clients[0]!.apiToken.count(), before + 20);
    const app = await createTestApp(directoryFixture());
    // The keys were made on another database: none of them may work there.
    const elsewhere = await app.request("GET", "/api/users/2/", tokenHeader(keys[0]!));
    assert.equal(elsewhere.status, 401);
  });
});
