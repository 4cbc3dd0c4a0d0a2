// `import` of the original service's `manage.py dumpdata` JSON (issue 9,
// item 1): the same answers as the fixture of the same data, its tokens' keys
// still working, and the fixture format's rules and one-line problems.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { createDatabase } from "../src/db/client.ts";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { answersOf, cliOn } from "./cli-process.ts";
import { toDjangoDump, withDjangoTimes, type DumpEntry } from "./fixtures/django-dump.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createEmptyDatabaseUrl } from "./helpers.ts";

const directory = mkdtempSync(join(tmpdir(), "users-gateway-dump-"));
const write = (name: string, content: unknown) => {
  const path = join(directory, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
};

const fixture = directoryFixture();
const ids = fixture.users.map((user) => user.id);
const keys = fixture.tokens.map((token) => token.key);
const adminKey = keyFor("admin");

async function usernamesIn(url: string) {
  const db = createDatabase(parseDatabaseUrl(url));
  try {
    return (await db.user.findMany({ orderBy: { id: "asc" }, select: { username: true } })).map((user) => user.username);
  } finally {
    await db.$disconnect();
  }
}

/** A database holding the directory imported from a file, and the answers it gives. */
async function importedFrom(path: string, ...options: string[]) {
  const url = await createEmptyDatabaseUrl();
  const result = cliOn(url, "import", path, ...options);
  assert.equal(result.status, 0, result.stderr);
  return { url, result };
}

describe("a dumpdata file of the original service", () => {
  let expected: Awaited<ReturnType<typeof answersOf>>;
  before(async () => {
    // The fixture of the same data, its timestamps cut to what the dump holds: milliseconds.
    const { url } = await importedFrom(write("expected.json", withDjangoTimes(fixture)));
    expected = await answersOf(url, adminKey, ids, keys);
  });

  test("imports to the same answers on both APIs as the fixture, and skips other models with a count", async () => {
    const { url, result } = await importedFrom(write("dump.json", toDjangoDump(fixture, { otherModels: true })));
    assert.equal(result.stdout, "Deleted 0 users, 0 groups, 0 permissions, 0 tokens; imported 11 users, 3 groups, 3 permissions, 8 tokens.\n");
    assert.equal(result.stderr, "Skipped 3 entries of other models: 1 admin.logentry, 1 contenttypes.contenttype, 1 sessions.session.\n");
    const actual = await answersOf(url, adminKey, ids, keys);
    assert.deepEqual(actual, expected);
    assert.equal(actual.rest.find((answer) => answer.id === 2)!.status, 200, "the dump's admin key reads users over REST");
    const moratti = JSON.parse(actual.rest.find((answer) => answer.id === 2)!.body);
    assert.equal(moratti.last_login, "2026-02-21T07:20:25.338000Z", "a dump keeps milliseconds: DjangoJSONEncoder wrote no more");
    assert.deepEqual(moratti.permissions_data.map((p: { id: number }) => p.id), [1], "user_permissions read as direct permissions");
    assert.deepEqual(actual.me[0], { data: { me: { id: "10", username: "admin" } } }, "the dump's keys authenticate over GraphQL");
  });

  test("a dump with --natural-foreign (users and groups named by natural key) reads the same", async () => {
    const { url } = await importedFrom(write("natural.json", toDjangoDump(fixture, { naturalForeign: true })));
    assert.deepEqual(await answersOf(url, adminKey, ids, keys), expected);
  });

  test("the format is told by the content, not the name; a byte order mark and white space before it are fine", async () => {
    const { url } = await importedFrom(write("dump.fixture", `\ufeff \n${JSON.stringify(toDjangoDump(fixture))}`));
    assert.equal((await usernamesIn(url)).length, fixture.users.length);
  });
});

describe("a dump that cannot be imported as it is", () => {
  let url: string;
  before(async () => {
    ({ url } = await importedFrom(write("directory.json", directoryFixture())));
  });

  /** Refused with exit 1 and these lines after "Dump refused:", and nothing changed. */
  async function refused(entries: unknown, lines: (string | RegExp)[], ...options: string[]) {
    const before = await usernamesIn(url);
    const result = cliOn(url, "import", write("refused.json", entries), ...options);
    assert.equal(result.status, 1, result.stderr);
    const [heading, ...problems] = result.stderr.trimEnd().split("\n");
    assert.equal(heading, "Dump refused:");
    assert.equal(problems.length, lines.length, result.stderr);
    lines.forEach((line, i) => (typeof line === "string" ? assert.equal(problems[i], `  - ${line}`) : assert.match(problems[i]!, line)));
    assert.deepEqual(await usernamesIn(url), before);
    return result;
  }

  const dump = () => toDjangoDump(fixture);
  const at = (entries: DumpEntry[], model: string, pk: unknown) => entries.findIndex((e) => e.model === model && e.pk === pk);

  test("problems name the entry, its model and pk, and the field as Django calls it", async () => {
    const entries = dump();
    const moratti = at(entries, "accounts.user", 2);
    const eve = at(entries, "accounts.user", 3);
    const token = entries.findIndex((e) => e.model === "authtoken.token");
    entries[moratti]!.fields.gender = "robot";
    entries[eve]!.fields.nickname = "eve";
    entries[token]!.pk = "NOT-A-KEY";
    const result = await refused(entries, [
      `[${moratti}] accounts.user pk 2, field "gender": expected one of male, female, other, got "robot"`,
      `[${eve}] accounts.user pk 3, unknown field "nickname"`,
      `[${token}] authtoken.token user 10, field "pk": expected 40 lowercase hexadecimal characters`,
    ]);
    for (const key of keys) assert.ok(!result.stderr.includes(key), "a key was printed");
  });

  test("references across the dump are checked, with Django's field names", async () => {
    const entries = dump();
    const moratti = at(entries, "accounts.user", 2);
    entries[moratti]!.fields.user_permissions = [99];
    entries[moratti]!.fields.invited_by = 77;
    await refused(entries, [
      `[${moratti}] accounts.user pk 2, field "invited_by": no user with id 77 in the dump`,
      `[${moratti}] accounts.user pk 2, field "user_permissions": no permission with id 99 in the dump`,
    ]);
  });

  test("a natural key that names no record is refused, and a permission's natural key is not guessed", async () => {
    const entries = toDjangoDump(fixture, { naturalForeign: true });
    const moratti = at(entries, "accounts.user", 2);
    const eve = at(entries, "accounts.user", 3);
    entries[moratti]!.fields.invited_by = ["ghost"];
    entries[eve]!.fields.user_permissions = [["general_settings_read"]];
    await refused(entries, [
      /^ {2}- \[\d+\] accounts\.user pk 3, field "user_permissions": a permission named by a natural key cannot be matched .*without --natural-foreign/,
      `[${moratti}] accounts.user pk 2, field "invited_by": no user with username "ghost" in the dump`,
    ]);
  });

  test("a dump made with --natural-primary (no pks) is refused: ids are kept", async () => {
    const entries = toDjangoDump({ users: [fixture.users[0]!] }, { naturalPrimary: true });
    await refused(entries, [/^ {2}- \[0\] accounts\.user, no "pk": the dump was made with --natural-primary.*dump again without --natural-primary$/]);
  });

  test("two models that could be the group model are refused in one line that says to name one; --models names it", async () => {
    const entries: unknown[] = [...dump(), { model: "auth.group", pk: 1, fields: { name: "Django's own", permissions: [] } }];
    await refused(entries, [
      "the dump holds entries of accounts.group and auth.group, each of which could be the group model: name the one to import with --models group=<app_label.model>",
    ]);
    const other = await createEmptyDatabaseUrl();
    const result = cliOn(other, "import", write("two-groups.json", entries), "--models", "group=accounts.group");
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, "Skipped 1 entry of other models: 1 auth.group.\n");
    assert.match(result.stdout, /imported 11 users, 3 groups/);
  });

  test("--models reads models of any name, and one the dump does not hold is refused rather than emptying the database", async () => {
    const renamed = dump().map((entry) => (entry.model === "accounts.user" ? { ...entry, model: "people.member" } : entry));
    await refused(renamed, ["the dump holds no entry of a user model (app_label.user): name it with --models user=<app_label.model>"]);
    await refused(renamed, ["--models user=people.membr: the dump holds no entry of that model"], "--models", "user=people.membr");
    const other = await createEmptyDatabaseUrl();
    const result = cliOn(other, "import", write("member.json", renamed), "--models", "user=People.Member");
    assert.equal(result.status, 0, result.stderr);
    assert.equal((await usernamesIn(other)).length, fixture.users.length);
  });

  test("a wrong --models is a wrong command line (exit 2)", () => {
    const result = cliOn(url, "import", write("any.json", dump()), "--models", "owner=accounts.user");
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^--models: expected role=app_label\.model with a role among user, group, permission, token/);
  });

  test("entries that are not dumpdata's, and a __proto__ key, are refused by position", async () => {
    await refused([1, { model: "accounts.user", pk: 5, fields: [] }], [
      '[0], expected an entry as dumpdata writes it: {"model": "app_label.model", "pk": …, "fields": {…}}',
      '[1] accounts.user pk 5, "fields" must be an object',
    ]);
    const proto = '[{"model": "accounts.user", "pk": 9, "fields": {"username": "p", "gender": "male", "__proto__": {"is_admin": true}}}]';
    await refused(proto, ['[0], unknown key "__proto__"', "the dump holds no entry of a user model (app_label.user): name it with --models user=<app_label.model>"]);
  });
});
