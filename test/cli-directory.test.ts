// The CLI's directory commands as an operator runs them, real processes over a
// real database: users, groups, permissions and memberships, what each change
// does to a key's access over REST, and the errors and exit codes scripts test.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { answersOf, cliOn } from "./cli-process.ts";
import { createEmptyDatabaseUrl, TEST_ENGINE } from "./helpers.ts";

describe("npm run cli -- user | group | permission", () => {
  let url: string;
  const cli = (...args: string[]) => cliOn(url, ...args);
  /** Runs a command that must succeed; returns its stdout. */
  const ok = (...args: string[]) => {
    const result = cli(...args);
    assert.equal(result.status, 0, `${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  const show = (username: string) => JSON.parse(ok("user", "show", username, "--json"));
  /** The REST status `key` gets for user `id`. */
  const restStatus = async (key: string, id: number) => (await answersOf(url, key, [id])).rest[0]!.status;

  let adaKey: string;
  let bobId: number;
  before(async () => {
    url = await createEmptyDatabaseUrl();
    ok("permission", "create", "1222", "UserPermission");
    ok("group", "create", "Readers", "--permission", "1222");
    ok("user", "create", "ada", "--gender", "female", "--email", "ada@example.com", "--first-name", "Ada", "--staff", "--group", "Readers");
    bobId = Number(ok("user", "create", "bob", "--gender", "male", "--staff").trim());
    adaKey = ok("token", "create", "ada").trim();
  });

  test("user create stores the fields, groups and permissions given, and user show tells them", () => {
    const ada = show("ada");
    assert.deepEqual(
      { ...ada, id: undefined, created_at: undefined },
      {
        id: undefined,
        username: "ada",
        email: "ada@example.com",
        mobile_number: null,
        first_name: "Ada",
        last_name: null,
        gender: "female",
        is_active: true,
        is_staff: true,
        is_admin: false,
        groups: ["Readers"],
        permissions: [],
        effective_permissions: [1222],
        last_seen_at: null,
        created_at: undefined,
      },
    );
    assert.match(ok("user", "show", "ada"), /^username: ada$/m);
    assert.equal(show("bob").id, bobId);
  });

  test("what a key may read follows the group's permissions, the user's own, and whether it is active", { timeout: 60_000 }, async () => {
    assert.equal(await restStatus(adaKey, bobId), 200, "staff holding 1222 through Readers");
    ok("group", "permissions", "Readers", "--revoke", "1222");
    assert.equal(await restStatus(adaKey, bobId), 403);
    ok("user", "update", "ada", "--add-permission", "1222");
    assert.deepEqual(show("ada").permissions, [1222]);
    assert.equal(await restStatus(adaKey, bobId), 200, "staff holding 1222 directly");
    ok("user", "update", "ada", "--no-active");
    assert.equal(await restStatus(adaKey, bobId), 401);
    ok("user", "update", "ada", "--active", "--remove-permission", "1222");
    ok("group", "permissions", "Readers", "--grant", "1222");
    assert.equal(await restStatus(adaKey, bobId), 200);
  });

  test("user list filters, as a table or JSON", () => {
    const staff = JSON.parse(ok("user", "list", "--staff", "--json"));
    assert.deepEqual(staff.map((user: { username: string }) => user.username), ["ada", "bob"]);
    assert.deepEqual(JSON.parse(ok("user", "list", "--no-staff", "--json")), []);
    const table = ok("user", "list").trim().split("\n");
    assert.match(table[0]!, /^id\s+username\s+email\s+flags\s+groups$/);
    assert.equal(table.length, 3);
    assert.deepEqual(JSON.parse(ok("user", "list", "--group", "Readers", "--json")).length, 1);
  });

  test("groups: rename, members, delete; permissions: rename, delete", () => {
    ok("group", "rename", "Readers", "Staff");
    ok("group", "members", "Staff", "--add", "bob");
    assert.deepEqual(show("bob").groups, ["Staff"]);
    ok("group", "members", "Staff", "--remove", "bob");
    assert.deepEqual(show("bob").groups, []);
    ok("group", "create", "Gone");
    ok("user", "update", "bob", "--add-group", "Gone", "--username", "robert", "--last-name", "Builder");
    assert.deepEqual([show("robert").groups, show("robert").last_name], [["Gone"], "Builder"]);
    assert.match(cli("group", "delete", "Gone").stderr, /1 member no longer/);
    assert.deepEqual(show("robert").groups, []);
    ok("user", "update", "robert", "--username", "bob", "--last-name", "");
    assert.equal(show("bob").last_name, null);

    ok("permission", "create", "7", "Temporary");
    ok("permission", "rename", "7", "Short-lived");
    ok("user", "update", "bob", "--add-permission", "7");
    assert.match(cli("permission", "delete", "7").stderr, /1 user held it directly/);
    assert.deepEqual(show("bob").permissions, []);
  });

  test("a name that is taken or unknown: exit 1, one line, and nothing changed", () => {
    const taken = cli("user", "create", "ada", "--gender", "female");
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /another record already has this username/);

    const unknownGroup = cli("user", "create", "carol", "--gender", "female", "--group", "Staff", "--group", "Nope");
    assert.equal(unknownGroup.status, 1);
    assert.match(unknownGroup.stderr, /No group named "Nope"/);
    assert.equal(cli("user", "show", "carol").status, 1, "the user was not created without its group");

    assert.match(cli("user", "update", "nobody", "--staff").stderr, /No user with username "nobody"/);
    assert.match(cli("group", "members", "Staff", "--add", "bob", "--add", "nobody").stderr, /No user with username "nobody"/);
    assert.deepEqual(show("bob").groups, [], "bob did not join: one unknown member stops the whole change");
    assert.equal(cli("permission", "create", "1222", "Again").status, 1);
    assert.match(cli("permission", "delete", "999").stderr, /No permission with code 999/);
  });

  test("a wrong command line: exit 2 and what is wrong; --help: exit 0", () => {
    const gender = cli("user", "create", "dave", "--gender", "robot");
    assert.equal(gender.status, 2);
    assert.match(gender.stderr, /--gender: expected one of male, female, other, got "robot"/);
    assert.equal(cli("user", "create", "dave").status, 2, "--gender is required");
    assert.match(cli("user", "create", "x".repeat(151), "--gender", "male").stderr, /username: String must contain at most 150 character/);
    assert.equal(cli("permission", "create", "twelve", "Name").status, 2);
    assert.equal(cli("user", "update", "ada", "--colour", "red").status, 2);
    const help = cli("user", "create", "--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: npm run cli -- user create <username>/);
    assert.match(cli("--help").stdout, /user create[\s\S]*group members[\s\S]*permission delete/);
  });

  test("migrate status tells what is pending (exit 1) and migrate applies it", { timeout: 120_000 }, async () => {
    const fresh = await createEmptyDatabaseUrl();
    const pending = cliOn(fresh, "migrate", "status");
    assert.equal(pending.status, 1, pending.stderr);
    // PostgreSQL has one more: the triggers of its change notifications (src/db/change-notifications.ts).
    const count = TEST_ENGINE === "postgres" ? 3 : 2;
    assert.match(pending.stdout, new RegExp(`^${count} migrations pending: ${Array(count).fill("\\S+").join(", ")}\\.$`, "m"));
    const applied = cliOn(fresh, "migrate");
    assert.equal(applied.status, 0, applied.stderr);
    assert.match(applied.stderr, new RegExp(`^Applied ${count} migrations: `));
    assert.deepEqual(cliOn(fresh, "migrate", "status"), { status: 0, stdout: "Up to date: the database has every migration.\n", stderr: "" });
    assert.match(cliOn(fresh, "migrate").stderr, /already has every migration/);
  });
});
