// `export <file>` (issue 9, item 2): the fixture format, which import reads
// back into an empty database to the same answers on both APIs, the same
// keys and their expiry; the file appears whole or not at all; and the
// progress bar, drawn only on a terminal (item 3).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { listTokens } from "../src/cli/tokens.ts";
import { showsProgress } from "../src/cli/progress.ts";
import { createDatabase } from "../src/db/client.ts";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { answersOf, cliOn } from "./cli-process.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createEmptyDatabaseUrl, createTestDatabase } from "./helpers.ts";

const directory = mkdtempSync(join(tmpdir(), "users-gateway-export-"));
const adminKey = keyFor("admin");

/** The directory, and what a Django database brings besides: blanks, long text, other zones, an invitation cycle, tokens with times. */
function richFixture() {
  const fixture = directoryFixture() as ReturnType<typeof directoryFixture> & { tokens: Record<string, unknown>[] };
  fixture.users.push(
    {
      id: 40, username: "blank", gender: "other", is_staff: true, email: "", mobile_number: "", invite_code: "",
      avatar: "", first_name: "", last_name: "", invited_by: 41,
    },
    {
      id: 41, username: "😀".repeat(150), gender: "female", is_staff: true, first_name: "é".repeat(150), invited_by: 40,
      avatar: "https://cdn.example/a.png", last_login: "2026-04-01T10:00:00.123456+03:30", last_seen_at: "2026-03-01T08:00:00.123Z",
      created_at: "2026-02-21T07:20:25Z", updated_at: "2026-02-21T07:20:25.000001Z", groups: [1, 2, 3], permissions: [3, 1],
    },
  );
  fixture.tokens.push(
    { key: keyFor("expired"), user: 10, expires_at: "2026-01-01T00:00:00Z", created_at: "2025-12-01T00:00:00.5Z" },
    { key: keyFor("later"), user: 10, expires_at: "2999-01-01T00:00:00Z", last_used_at: "2026-03-01T08:00:00Z" },
  );
  return fixture;
}

const fixture = richFixture();
const ids = fixture.users.map((user) => user.id);
const keys = fixture.tokens.map((token) => token.key as string);

async function tokensOf(url: string) {
  const db = createDatabase(parseDatabaseUrl(url));
  try {
    return (await listTokens(db, "admin")).map(({ id: _id, ...token }) => token);
  } finally {
    await db.$disconnect();
  }
}

describe("export, then import into an empty database", () => {
  let source: string;
  let copy: string;
  let exported: string;
  before(async () => {
    const { db, target } = await createTestDatabase();
    await importFixture(db, parseFixture(fixture));
    source = target.url;
    exported = join(directory, "export.json");
    const result = cliOn(source, "export", exported);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `Exported 13 users, 3 groups, 3 permissions, 10 tokens to ${exported}.\n`);
    assert.equal(result.stderr, "", "stderr is not a terminal: no progress bar, nothing else");
    copy = await createEmptyDatabaseUrl();
    const imported = cliOn(copy, "import", exported);
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(imported.stdout, "Deleted 0 users, 0 groups, 0 permissions, 0 tokens; imported 13 users, 3 groups, 3 permissions, 10 tokens.\n");
    assert.equal(imported.stderr, "");
  });

  test("exports the copy to the same bytes: nothing was lost or changed on the way", () => {
    const again = join(directory, "again.json");
    assert.equal(cliOn(copy, "export", again).status, 0);
    assert.equal(readFileSync(again, "utf8"), readFileSync(exported, "utf8"));
  });

  test("tokens are written as their key's hash, never the key, with their times", async () => {
    const text = readFileSync(exported, "utf8");
    for (const key of keys) assert.ok(!text.includes(key), "a key was exported");
    const tokens = JSON.parse(text).tokens as Record<string, unknown>[];
    assert.deepEqual(Object.keys(tokens[0]!), ["key_hash", "user", "created_at", "expires_at", "last_used_at"]);
    assert.deepEqual(await tokensOf(copy), await tokensOf(source), "created, expires and last used are kept");
  });

  test("gives the same answers on both APIs for every user, and every key opens the copy as it opened the source", async () => {
    const before = await answersOf(source, adminKey, ids, keys);
    const after = await answersOf(copy, adminKey, ids, keys);
    assert.deepEqual(after, before);
    assert.ok(after.rest.filter((answer) => answer.status === 200).length >= 10, "the admin reads the staff users");
    const blank = JSON.parse(after.rest.find((answer) => answer.id === 41)!.body);
    assert.equal(blank.last_login, "2026-04-01T06:30:00.123456Z", "microseconds survive the round trip");
    const expired = await answersOf(copy, adminKey, [], [keyFor("expired"), keyFor("later")]);
    assert.deepEqual(expired.me.map((answer) => (answer as { data?: { me: unknown } }).data?.me ?? null), [null, { id: "10", username: "admin" }]);
  });
});

describe("the export file", () => {
  let url: string;
  before(async () => {
    const { db, target } = await createTestDatabase();
    await importFixture(db, parseFixture(directoryFixture()));
    url = target.url;
  });

  test("an existing file is refused without --force (exit 1, file untouched) and replaced with it", () => {
    const path = join(directory, "existing.json");
    writeFileSync(path, "keep me");
    const refused = cliOn(url, "export", path);
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, `${path} already exists: pass --force to replace it.\n`);
    assert.equal(readFileSync(path, "utf8"), "keep me");
    const forced = cliOn(url, "export", path, "--force");
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(JSON.parse(readFileSync(path, "utf8")).users.length, 11);
  });

  test("a failure leaves no file, not even a temporary one", () => {
    const folder = join(directory, "failing");
    mkdirSync(join(folder, "target.json"), { recursive: true }); // a directory where the file should go
    const result = cliOn(url, "export", join(folder, "target.json"), "--force");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^cannot write .*target\.json: /);
    assert.deepEqual(readdirSync(folder), ["target.json"]);
    const missing = cliOn(url, "export", join(directory, "no-such-folder", "x.json"));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^cannot write .*x\.json: ENOENT/);
    assert.ok(!existsSync(join(directory, "no-such-folder")));
  });

  test("--help on every command, and wrong command lines exit 2", () => {
    for (const command of [["import"], ["export"], ["demo-data"], ["token", "create"], ["token", "list"], ["token", "revoke"]]) {
      const help = cliOn(url, ...command, "--help");
      assert.equal(help.status, 0, command.join(" "));
      assert.ok(help.stdout.startsWith(`Usage: npm run cli -- ${command.join(" ")}`), help.stdout);
    }
    assert.match(cliOn(url, "export", "--help").stdout, /--force/);
    const missing = cliOn(url, "export");
    assert.deepEqual([missing.status, missing.stderr.split("\n")[0]], [2, "export: expected 1 argument, got 0."]);
    const unknown = cliOn(url, "export", "x.json", "--forse");
    assert.deepEqual([unknown.status, unknown.stderr.split("\n")[0]], [2, "export: Unknown option '--forse'."]);
  });
});

describe("the progress bar", () => {
  test("is drawn only on a terminal", () => {
    assert.equal(showsProgress({ isTTY: true }), true);
    assert.equal(showsProgress({ isTTY: false }), false);
    assert.equal(showsProgress({}), false, "a pipe or a file has no isTTY");
  });

  // `script` (util-linux) runs the CLI on a real pseudo-terminal.
  const script = "/usr/bin/script";
  test("shows reading, importing and exporting on a real terminal", { skip: !existsSync(script) && "no /usr/bin/script", timeout: 120_000 }, async () => {
    const url = await createEmptyDatabaseUrl();
    const path = join(directory, "tty.json");
    writeFileSync(path, JSON.stringify(richFixture()));
    const run = (...args: string[]) => {
      const command = ["npm", "run", "-s", "cli", "--", ...args].map((word) => `'${word}'`).join(" ");
      const result = spawnSync(script, ["-qec", command, "/dev/null"], {
        cwd: new URL("..", import.meta.url),
        env: { ...process.env, DATABASE_URL: url },
        encoding: "utf8",
      });
      assert.equal(result.status, 0, result.stdout);
      return result.stdout;
    };
    const imported = run("import", path);
    assert.match(imported, /Reading \[[=-]+\] \d+% \| \d+ kB of \d+ kB/);
    assert.match(imported, /Importing \[[=-]+\] \d+% \| \d+ of \d+/);
    assert.match(imported, /imported 13 users/);
    const exported = run("export", join(directory, "tty-export.json"));
    assert.match(exported, /Exporting \[[=-]+\] \d+% \| \d+ of 29/);
  });
});
