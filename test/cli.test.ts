// The CLI of SPEC section 6, run as a user runs it: a real process over a
// real SQLite file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { createDatabase } from "../src/db.ts";
import { parseDatabaseUrl } from "../src/database-url.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { FixtureError, parseFixture, type Fixture } from "../src/fixtures/parse-fixture.ts";
import { createApp } from "../src/server.ts";
import { parseConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";
import { directoryFixture, DEMO_FIXTURE } from "./fixtures/directory.ts";
import { createEmptyDatabaseUrl, createTestDatabase, tokenHeader } from "./helpers.ts";

const directory = mkdtempSync(join(tmpdir(), "users-gateway-cli-"));
let databaseUrl: string;
before(async () => {
  databaseUrl = await createEmptyDatabaseUrl();
});

function cli(...args: string[]) {
  const result = spawnSync("npm", ["run", "-s", "cli", "--", ...args], {
    cwd: new URL("..", import.meta.url),
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeFixture(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

async function countRows() {
  const db = createDatabase(parseDatabaseUrl(databaseUrl));
  try {
    return {
      users: await db.user.count(),
      groups: await db.group.count(),
      permissions: await db.permission.count(),
      tokens: await db.apiToken.count(),
      usernames: (await db.user.findMany({ orderBy: { id: "asc" }, select: { username: true } })).map((u) => u.username),
    };
  } finally {
    await db.$disconnect();
  }
}

describe("npm run cli -- import", () => {
  before(() => {
    const result = cli("import", writeFixture("directory.json", directoryFixture()));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Imported 11 users, 3 groups, 3 permissions, 8 tokens\./);
  });

  test("keeps the ids as given and hashes the keys", async () => {
    const rows = await countRows();
    assert.equal(rows.users, 11);
    assert.equal(rows.usernames[0], "keegan2255");
    const db = createDatabase(parseDatabaseUrl(databaseUrl));
    const tokens = await db.apiToken.findMany();
    await db.$disconnect();
    for (const token of tokens) assert.match(token.keyHash, /^[0-9a-f]{64}$/);
  });

  test("a second import replaces everything", async () => {
    const result = cli("import", writeFixture("demo.json", DEMO_FIXTURE));
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual((await countRows()).usernames, ["keegan2255", "moratti120", "Eve68", "admin"]);
    assert.equal(cli("import", writeFixture("directory.json", directoryFixture())).status, 0);
  });

  test("a bad fixture is refused, naming record and field, and nothing changes", async () => {
    const before = await countRows();
    const fixture = directoryFixture() as { users: Record<string, unknown>[]; tokens: Record<string, unknown>[] };
    fixture.users[1] = { ...fixture.users[1], gender: "robot" };
    fixture.users[2] = { ...fixture.users[2], invited_by: 77, is_staf: true };
    fixture.users[3] = { ...fixture.users[3], username: "keegan2255", last_login: "yesterday" };
    fixture.tokens[0] = { ...fixture.tokens[0], key: "short" };
    const result = cli("import", writeFixture("bad.json", fixture));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /users\[1\] \(id 2\), field "gender"/);
    assert.match(result.stderr, /users\[2\] \(id 3\), unknown field "is_staf"/);
    assert.match(result.stderr, /users\[3\] \(id 10\), field "last_login": expected ISO 8601/);
    assert.match(result.stderr, /tokens\[0\], field "key": expected 40 lowercase hexadecimal characters/);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
    assert.deepEqual(await countRows(), before);
  });

  test("references and unique values are checked across the file", async () => {
    const before = await countRows();
    const fixture = directoryFixture() as { users: Record<string, unknown>[] };
    fixture.users[2] = { ...fixture.users[2], invited_by: 77, groups: [9] };
    fixture.users[4] = { ...fixture.users[4], username: "keegan2255" };
    const result = cli("import", writeFixture("refs.json", fixture));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /users\[2\] \(id 3\), field "invited_by": no user with id 77 in the fixture/);
    assert.match(result.stderr, /users\[2\] \(id 3\), field "groups": no group with id 9 in the fixture/);
    assert.match(result.stderr, /users\[4\] \(id 11\), field "username": "keegan2255" is already used by users\[0\] \(id 1\)/);
    assert.deepEqual(await countRows(), before);
  });

  test("a file that is not JSON, or not a fixture, is refused", async () => {
    const notJson = cli("import", writeFixture("broken.json", "{ users: "));
    assert.equal(notJson.status, 1);
    assert.match(notJson.stderr, /is not valid JSON/);
    const notObject = cli("import", writeFixture("list.json", [1, 2]));
    assert.match(notObject.stderr, /one JSON object/);
    const missing = cli("import", join(directory, "nope.json"));
    assert.match(missing.stderr, /cannot read/);
  });

  test("without arguments it prints the usage", () => {
    const result = cli();
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Usage:/);
  });
});

describe("import is one transaction", () => {
  test("a failure inside the database rolls back every write", async () => {
    const { db } = await createTestDatabase();
    await importFixture(db, parseFixture(DEMO_FIXTURE));
    const fixture = parseFixture(directoryFixture()) as Fixture;
    // Slip past the file checks: the database's unique index refuses this on the last user.
    fixture.users[fixture.users.length - 1]!.username = fixture.users[0]!.username;
    await assert.rejects(importFixture(db, fixture));
    assert.deepEqual((await db.user.findMany({ select: { username: true }, orderBy: { id: "asc" } })).map((u) => u.username), [
      "keegan2255", "moratti120", "Eve68", "admin",
    ]);
    assert.equal(await db.apiToken.count(), 1);
  });

  test("optional user fields take their defaults", () => {
    const fixture = parseFixture({ users: [{ id: 1, username: "minimal", gender: "female" }] });
    const user = fixture.users[0]!;
    assert.equal(user.is_active, true);
    assert.equal(user.is_staff, false);
    assert.deepEqual(user.groups, []);
    assert.equal(user.email, null);
  });

  test("a missing required field is named", () => {
    assert.throws(() => parseFixture({ users: [{ id: 4, gender: "male" }] }), (error: FixtureError) => {
      assert.match(error.message, /users\[0\] \(id 4\), field "username": is required/);
      return true;
    });
  });
});

describe("npm run cli -- token create", () => {
  test("prints a new key once; the key authenticates; only its hash is stored", async () => {
    assert.equal(cli("import", writeFixture("demo.json", DEMO_FIXTURE)).status, 0);
    const result = cli("token", "create", "moratti120");
    assert.equal(result.status, 0, result.stderr);
    const key = result.stdout.trim();
    assert.match(key, /^[0-9a-f]{40}$/);

    const config = parseConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" });
    const db = createDatabase(config.database);
    try {
      const stored = await db.apiToken.findMany({ where: { user: { username: "moratti120" } } });
      assert.equal(stored.length, 1);
      assert.notEqual(stored[0]!.keyHash, key);
      const app = createApp({ db, config, logger: createLogger("silent") });
      const me = await app.fetch(
        new Request("http://users.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", ...tokenHeader(key) },
          body: JSON.stringify({ query: "{ me { username } }" }),
        }),
      );
      assert.deepEqual(await me.json(), { data: { me: { username: "moratti120" } } });
    } finally {
      await db.$disconnect();
    }
  });

  test("an unknown username is refused with a clear line", () => {
    const result = cli("token", "create", "nobody");
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim(), 'No user with username "nobody".');
  });
});
