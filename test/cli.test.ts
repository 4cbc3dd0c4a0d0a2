// The CLI of SPEC section 6, run as a user runs it: a real process over a
// real SQLite file.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { hashTokenKey } from "../src/auth/token-keys.ts";
import { createDatabase } from "../src/db/client.ts";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { DEMO_ADMIN_KEY, DEMO_FIXTURE_PATH, demoKeyIsActive } from "../src/fixtures/demo-data.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { FixtureError, parseFixture, type Fixture } from "../src/fixtures/parse-fixture.ts";
import { createApp } from "../src/server.ts";
import { parseConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";
import { cliOn } from "./cli-process.ts";
import { directoryFixture, DEMO_FIXTURE } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createEmptyDatabaseUrl, createTestDatabase, TEST_ENGINE, tokenHeader } from "./helpers.ts";

const directory = mkdtempSync(join(tmpdir(), "users-gateway-cli-"));
let databaseUrl: string;
before(async () => {
  databaseUrl = await createEmptyDatabaseUrl();
});

function cli(...args: string[]) {
  return cliOn(databaseUrl, ...args);
}

/** What a terminal would act on rather than show: every control character but the line breaks we print. */
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function writeFixture(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

async function countRows(url = databaseUrl) {
  const db = createDatabase(parseDatabaseUrl(url));
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
    assert.equal(result.stdout, "Deleted 0 users, 0 groups, 0 permissions, 0 tokens; imported 11 users, 3 groups, 3 permissions, 8 tokens.\n");
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

  test("a second import replaces everything, tokens too, and says what it deleted and imported", async () => {
    const result = cli("import", writeFixture("demo.json", DEMO_FIXTURE));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, "Deleted 11 users, 3 groups, 3 permissions, 8 tokens; imported 4 users, 2 groups, 2 permissions, 1 token.\n");
    const rows = await countRows();
    assert.deepEqual(rows.usernames, ["keegan2255", "moratti120", "Eve68", "admin"]);
    assert.equal(rows.tokens, 1);
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
    assert.match(result.stderr, /tokens\[0\] \(user 10\), field "key": expected 40 lowercase hexadecimal characters/);
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
    const notObject = cli("import", writeFixture("number.json", "5"));
    assert.match(notObject.stderr, /one JSON object with permissions, groups, users and tokens \(a fixture\), or one JSON list \(Django's dumpdata\)/);
    // A list is read as Django's dumpdata, whose entries these are not.
    const notEntries = cli("import", writeFixture("list.json", [1, 2]));
    assert.equal(notEntries.status, 1);
    assert.match(notEntries.stderr, /^Dump refused:\n {2}- \[0\], expected an entry as dumpdata writes it/);
    const inherited = cli("import", writeFixture("inherited.json", '{"constructor": [], "users": []}'));
    assert.match(inherited.stderr, /unknown section "constructor"/);
    const missing = cli("import", join(directory, "nope.json"));
    assert.match(missing.stderr, /cannot read/);
    // An empty file is no fixture: it must not pass for {} and empty the database.
    const empty = cli("import", writeFixture("empty.json", "  \n"));
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /is not valid JSON: line 2, column 1: expected a value/);
    const twice = cli("import", writeFixture("twice.json", '{"users": [], "groups": 5, "users": []}'));
    assert.match(twice.stderr, /section "groups" must be a list\n.*section "users" appears twice/);
  });

  test("a __proto__ key is refused as an unknown field, never read as the record's prototype", async () => {
    const before = await countRows();
    const record = '{"id": 9, "username": "proto", "gender": "male", "__proto__": {"is_admin": true}}';
    const refused = cli("import", writeFixture("proto.json", `{"users": [${record}]}`));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /users\[0\] \(id 9\), unknown field "__proto__"/);
    assert.deepEqual(await countRows(), before);
  });

  test("a key used twice is refused without printing the key", async () => {
    const before = await countRows();
    const fixture = directoryFixture();
    fixture.tokens[1] = { ...fixture.tokens[1]!, key: fixture.tokens[0]!.key };
    const result = cli("import", writeFixture("same-key.json", fixture));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /tokens\[1\] \(user 11\), field "key": the same key as tokens\[0\] \(user 10\)/);
    for (const { key } of fixture.tokens) assert.ok(!result.stderr.includes(key), "a key was printed");
    assert.deepEqual(await countRows(), before);
  });

  test("invalid JSON is located by line and column, the same on every Node version, without quoting the file", () => {
    const path = writeFixture("broken-list.json", '{\n  "users": [\n    {"id": 1,, }');
    const broken = cli("import", path);
    assert.equal(broken.status, 1);
    assert.equal(broken.stderr, `Fixture refused:\n  - ${path} is not valid JSON: line 3, column 14: expected a property name in double quotes\n`);

    const [first, second] = [keyFor("admin"), keyFor("regular")];
    const missingComma = `{\n  "tokens": [\n    {"key": "${first}", "user": 10}\n    {"key": "${second}", "user": 14}\n  ]\n}\n`;
    const result = cli("import", writeFixture("missing-comma.json", missingComma));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /is not valid JSON: line 4, column 5: expected a comma\n$/);
    assert.ok(!result.stderr.includes(first) && !result.stderr.includes(second), "the file's text was quoted");

    assert.match(cli("import", writeFixture("empty.json", "")).stderr, /is not valid JSON: line 1, column 1: expected a value/);
    assert.match(cli("import", writeFixture("comment.json", '{\n  // no\n}')).stderr, /line 2, column 3: comments are not allowed in JSON/);
  });

  test("a file that starts with a byte order mark is read as JSON", async () => {
    const result = cli("import", writeFixture("bom.json", `\ufeff${JSON.stringify(DEMO_FIXTURE)}`));
    assert.equal(result.status, 0, result.stderr);
    assert.equal((await countRows()).users, 4);
    assert.equal(cli("import", writeFixture("directory.json", directoryFixture())).status, 0);
  });

  test("control characters from a hostile fixture or file name reach the terminal as escapes", async () => {
    const before = await countRows();
    const hostile = "evil\u001b[2J\r\u0007\u202Egnp.exe\u009b";
    const escaped = "evil\\x1b[2J\\x0d\\x07\\u{202e}gnp.exe\\x9b";
    const path = join(directory, `${hostile}.json`);
    const fixture = directoryFixture();
    fixture.users[1] = { ...fixture.users[1], username: hostile };
    fixture.users[2] = { ...fixture.users[2], username: hostile };
    writeFileSync(path, JSON.stringify(fixture));
    const duplicate = cli("import", path);
    assert.equal(duplicate.status, 1);
    assert.doesNotMatch(duplicate.stderr, TERMINAL_CONTROLS);
    assert.ok(duplicate.stderr.includes(`users[2] (id 3), field "username": "${escaped}" is already used by users[1] (id 2)`), duplicate.stderr);

    const schema = directoryFixture() as unknown as { users: Record<string, unknown>[] } & Record<string, unknown>;
    schema[`\u001b]0;owned\u0007`] = [];
    schema.users[1] = { ...schema.users[1], gender: hostile, [`is\u0000staff\nFixture accepted`]: true };
    schema.users[2] = { ...schema.users[2], last_login: `\u001b[1A\r${hostile}` };
    const refused = cli("import", writeFixture("hostile-fields.json", schema));
    assert.equal(refused.status, 1);
    assert.doesNotMatch(refused.stderr, TERMINAL_CONTROLS);
    assert.match(refused.stderr, /unknown section "\\x1b\]0;owned\\x07"/);
    assert.ok(refused.stderr.includes('unknown field "is\\x00staff\\x0aFixture accepted"'), refused.stderr);
    assert.ok(refused.stderr.includes(escaped));

    const broken = cli("import", writeFixture(`${hostile}-broken.json`, "{"));
    assert.doesNotMatch(broken.stderr, TERMINAL_CONTROLS);
    assert.match(broken.stderr, /evil\\x1b\[2J\\x0d.*-broken\.json is not valid JSON: line 1, column 2:/);
    assert.deepEqual(await countRows(), before);
  });

  test("a value from the file is quoted in a message by its first 60 characters only", () => {
    const fixture = directoryFixture() as unknown as { users: Record<string, unknown>[] };
    fixture.users[1] = { ...fixture.users[1], gender: "x".repeat(100_000), ["y".repeat(100_000)]: 1 };
    fixture.users[2] = { ...fixture.users[2], last_login: "z".repeat(100_000) };
    const result = cli("import", writeFixture("long-values.json", fixture));
    assert.equal(result.status, 1);
    assert.ok(result.stderr.length < 1_000, `${result.stderr.length} characters printed`);
    assert.match(result.stderr, new RegExp(`field "gender": expected one of male, female, other, got "${"x".repeat(60)}…"`));
    assert.match(result.stderr, new RegExp(`unknown field "${"y".repeat(60)}…"`));
    assert.match(result.stderr, new RegExp(`field "last_login": expected ISO 8601 .*, got "${"z".repeat(60)}…"`));
  });

  test("ordinary non-ASCII text is printed as it is", () => {
    const fixture = directoryFixture();
    fixture.users[1] = { ...fixture.users[1], username: "علی\u200cرضا" };
    fixture.users[2] = { ...fixture.users[2], username: "علی\u200cرضا" };
    const result = cli("import", writeFixture("persian.json", fixture));
    assert.match(result.stderr, /users\[2\] \(id 3\), field "username": "علی\u200cرضا" is already used by users\[1\] \(id 2\)/);
  });

  test("a NUL in a text field is refused on every engine (PostgreSQL cannot store one)", () => {
    const fixture = directoryFixture();
    fixture.users[1] = { ...fixture.users[1], first_name: "nul\u0000here" };
    const result = cli("import", writeFixture("nul.json", fixture));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /users\[1\] \(id 2\), field "first_name": contains a NUL character \(\\x00\)/);
  });

  test("an empty fixture, {}, empties the database", async () => {
    const result = cli("import", writeFixture("nothing.json", "{}"));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, "Deleted 11 users, 3 groups, 3 permissions, 8 tokens; imported 0 users, 0 groups, 0 permissions, 0 tokens.\n");
    assert.deepEqual(await countRows(), { users: 0, groups: 0, permissions: 0, tokens: 0, usernames: [] });
    assert.equal(cli("import", writeFixture("directory.json", directoryFixture())).status, 0);
  });

  test("without arguments it prints the usage, which lists every command", () => {
    const result = cli();
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Usage:/);
    for (const command of ["import <file.json>", "demo-data", "token create <username>"]) {
      assert.ok(result.stderr.includes(`npm run cli -- ${command}`), command);
    }
    const help = cli("--help");
    assert.equal(help.status, 0);
    assert.equal(help.stdout, result.stderr);
  });
});

describe("a failure inside the database", () => {
  test("is told in one line, without Prisma's quote of the source, and changes nothing", async () => {
    const url = await createEmptyDatabaseUrl();
    assert.equal(cliOn(url, "import", writeFixture("directory.json", directoryFixture())).status, 0);
    const db = createDatabase(parseDatabaseUrl(url));
    try {
      if (TEST_ENGINE === "sqlite") {
        await db.$executeRawUnsafe(`CREATE TRIGGER refuse_users BEFORE INSERT ON "User" BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END`);
      } else {
        await db.$executeRawUnsafe(`CREATE FUNCTION refuse_users() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$`);
        await db.$executeRawUnsafe(`CREATE TRIGGER refuse_users BEFORE INSERT ON "User" FOR EACH ROW EXECUTE FUNCTION refuse_users()`);
      }
    } finally {
      await db.$disconnect();
    }
    const before = await countRows(url);
    const result = cliOn(url, "import", writeFixture("demo.json", DEMO_FIXTURE));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^The database refused the change, which was rolled back: .*refused by a test trigger.*\n$/);
    assert.doesNotMatch(result.stderr, /invocation|import-fixture\.ts|→/);
    assert.deepEqual(await countRows(url), before);
  });
});

describe("npm run cli -- demo-data", () => {
  test("replaces all data with the demo data and warns that its admin key is public", async () => {
    const url = await createEmptyDatabaseUrl();
    assert.equal(cliOn(url, "import", writeFixture("directory.json", directoryFixture())).status, 0);
    const result = cliOn(url, "demo-data");
    assert.equal(result.status, 0, result.stderr);
    const demo = JSON.parse(readFileSync(DEMO_FIXTURE_PATH, "utf8"));
    assert.equal(
      result.stdout,
      `Deleted 11 users, 3 groups, 3 permissions, 8 tokens; imported ${demo.users.length} users, ${demo.groups.length} groups, ${demo.permissions.length} permissions, 1 token.\n`,
    );
    assert.equal(result.stderr.trim().split("\n").length, 1);
    assert.match(result.stderr, /demo admin's key is public.*never use it.*on a real database/);
    assert.ok(!result.stderr.includes(DEMO_ADMIN_KEY), "the key itself is not needed in the warning");
    assert.deepEqual((await countRows(url)).usernames, demo.users.map((user: { username: string }) => user.username));
    const db = createDatabase(parseDatabaseUrl(url));
    try {
      assert.equal(await demoKeyIsActive(db), true);
    } finally {
      await db.$disconnect();
    }
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

  test("a file of several statements' worth keeps every row and reference across chunk boundaries", async () => {
    const { db } = await createTestDatabase();
    const count = 2_500; // more rows than one INSERT takes, more links than one takes
    const users = Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      username: `user-${i + 1}`,
      gender: "other",
      is_staff: i % 2 === 0,
      last_seen_at: "2026-03-01T08:00:00.123Z",
      invited_by: i === 0 ? null : i, // the previous user
      groups: [1, 2, 1], // a group named twice is linked once
      permissions: i % 3 === 0 ? [1] : [],
    }));
    const fixture = {
      permissions: [{ id: 1, code: 1222, name: "UserPermission" }],
      groups: [{ id: 1, name: "one", permissions: [1] }, { id: 2, name: "two" }],
      users,
    };
    await importFixture(db, parseFixture(fixture));
    assert.equal(await db.user.count(), count);
    assert.equal(await db.user.count({ where: { invitedById: { not: null } } }), count - 1);
    const last = await db.user.findUnique({
      where: { id: count },
      include: { groups: { orderBy: { id: "asc" } }, permissions: true, invitedBy: { select: { id: true } } },
    });
    assert.deepEqual(
      { ...last, groups: last?.groups.map((group) => group.id), permissions: last?.permissions.map((p) => p.id) },
      {
        id: count, username: `user-${count}`, mobileNumber: null, email: null, isEmailVerified: false, avatar: null,
        firstName: null, lastName: null, gender: "other", invitedById: count - 1, inviteCode: null, isActive: true,
        isStaff: false, isAdmin: false, isProfileCompleted: false, lastLogin: null, lastLoginMicros: null,
        lastSeenAt: new Date("2026-03-01T08:00:00.123Z"), createdAt: last?.createdAt, createdAtMicros: 0,
        updatedAt: last?.updatedAt, updatedAtMicros: 0, groups: [1, 2], permissions: [1], invitedBy: { id: count - 1 },
      },
    );
    assert.equal(await db.user.count({ where: { groups: { some: {} } } }), count);
    assert.equal(await db.user.count({ where: { permissions: { some: {} } } }), Math.ceil(count / 3));
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

  test("a username with control characters is echoed as escapes", () => {
    const result = cli("token", "create", "x\u001b[2J\r\u202Ey");
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'No user with username "x\\x1b[2J\\x0d\\u{202e}y".\n');
  });
});

describe("npm run cli -- token list, token revoke, and tokens that expire", () => {
  /** The REST route's answer to `key`, in-process on the CLI's database. */
  async function restWith(key: string): Promise<{ status: number; body: unknown }> {
    const config = parseConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" });
    const db = createDatabase(config.database);
    try {
      const app = createApp({ db, config, logger: createLogger("silent") });
      const response = await app.fetch(new Request("http://users.test/api/users/2/", { headers: tokenHeader(key) }));
      const answer = { status: response.status, body: await response.json() };
      await app.close();
      return answer;
    } finally {
      await db.$disconnect();
    }
  }
  const created = (...args: string[]) => {
    const result = cli("token", "create", ...args);
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  };
  const listed = () => {
    const result = cli("token", "list", "admin", "--json");
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { id: number; created_at: string; expires_at: string | null; last_used_at: string | null }[];
  };

  before(() => {
    assert.equal(cli("import", writeFixture("directory-tokens.json", directoryFixture())).status, 0);
  });

  test("an expiring key works until its time, then gets DRF's Invalid token.", async () => {
    const key = created("admin", "--expires-in", "2s");
    assert.equal((await restWith(key)).status, 200);
    const [token] = listed().filter((t) => t.expires_at !== null);
    assert.ok(token && Date.parse(token.expires_at!) - Date.now() <= 2_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(token.expires_at!) - Date.now()) + 100));
    assert.deepEqual(await restWith(key), { status: 401, body: { detail: "Invalid token." } });
  });

  test("list shows id, created, expires and last used, never a key or its hash; revoke refuses the key at once", async () => {
    const key = created("admin");
    const before = listed();
    const mine = before.at(-1)!;
    assert.deepEqual(Object.keys(mine), ["id", "created_at", "expires_at", "last_used_at"]);
    assert.equal(mine.last_used_at, null);
    assert.equal((await restWith(key)).status, 200);
    assert.ok(listed().at(-1)!.last_used_at !== null, "the request recorded the key's use");

    const table = cli("token", "list", "admin");
    assert.equal(table.status, 0);
    assert.match(table.stdout, /^id +created +expires +last used\n/);
    assert.match(table.stdout, new RegExp(`^${mine.id} +\\S+ +never +\\S+$`, "m"));
    const everything = `${table.stdout}${cli("token", "list", "admin", "--json").stdout}`;
    assert.ok(!everything.includes(key) && !everything.includes(hashTokenKey(key)), "a key or its hash was listed");

    const revoked = cli("token", "revoke", String(mine.id));
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.equal(revoked.stderr, `Token ${mine.id} of admin revoked: its key is refused from now on.\n`);
    assert.deepEqual(await restWith(key), { status: 401, body: { detail: "Invalid token." } });
    assert.ok(!listed().some((t) => t.id === mine.id));
  });

  test("wrong values are refused with exit code 2, an unknown token or user with 1", () => {
    for (const args of [["token", "create", "admin", "--expires-in", "5y"], ["token", "create", "admin", "--expires-in", "0d"], ["token", "revoke", "x"], ["token", "list", "admin", "--verbose"]]) {
      assert.equal(cli(...args).status, 2, args.join(" "));
    }
    assert.match(cli("token", "create", "admin", "--expires-in", "5y").stderr, /--expires-in: expected a whole number and a unit, such as 90s, 30m, 12h or 30d \(at most 3650d\), got "5y"/);
    const unknown = cli("token", "revoke", "999999");
    assert.deepEqual([unknown.status, unknown.stderr], [1, "No token with id 999999.\n"]);
    assert.equal(cli("token", "list", "nobody").status, 1);
  });
});
