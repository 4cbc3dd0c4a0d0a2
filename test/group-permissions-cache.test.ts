// The groups' permissions kept between requests (src/group-permissions-cache.ts):
// a user's memberships read with them are what the statement that reads the
// grants itself answers, and a grant written by any client is seen by the
// next request. On PostgreSQL a write is known by its notification, a moment
// after its commit: the tests wait for the version to move, as the requester
// cache's tests do.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { createDatabase, databaseVersion, type Database } from "../src/db/client.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { GroupPermissionsCache } from "../src/group-permissions-cache.ts";
import { hashTokenKey } from "../src/auth/token-keys.ts";
import { createLoaders, findRequesterByKeyHash, WHOLE_VIEW } from "../src/loaders.ts";
import type { DatabaseTarget } from "../src/db/url.ts";
import type { StatementRecorder } from "../src/db/statement-recorder.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestDatabase, TEST_ENGINE, until } from "./helpers.ts";

const SOON = { withinMs: 2_000, everyMs: 5 };

/** The kinds of statement a memberships read sends. */
const kindOf = (sql: string) =>
  sql.includes("'group' AS kind") ? (sql.includes("'granted'") ? "memberships with grants" : "memberships") : sql.includes('"_GroupToPermission"') ? "grants" : "other";

describe(`the groups' permissions cache (${TEST_ENGINE}: kept while the database is unchanged)`, () => {
  let db: Database;
  let target: DatabaseTarget;
  let recorder: StatementRecorder;
  let userIds: number[];
  before(async () => {
    ({ db, target, recorder } = await createTestDatabase({ watchChanges: true }));
    await db.$connect();
    await until("the version to be known", () => databaseVersion(db) !== null, SOON);
    await written(() => importFixture(db, parseFixture(directoryFixture())));
    userIds = (await db.user.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((user) => user.id);
  });

  async function written(write: () => Promise<unknown>) {
    const before = databaseVersion(db);
    await write();
    await until("the write's notification", () => databaseVersion(db) !== before, SOON);
  }

  /** Every user's memberships as one request reads them (a fresh set of loaders), and the kinds of statement sent. */
  async function memberships(cache?: GroupPermissionsCache) {
    recorder.take();
    const answer = await createLoaders(db, cache).membershipsByUserId.loadMany(userIds);
    return { answer, sent: recorder.take().map(kindOf) };
  }

  test("answers what the statement reading the grants answers, and reads the grants once while nothing is written", async () => {
    const expected = await memberships();
    assert.deepEqual(expected.sent, ["memberships with grants"]);
    assert.ok(expected.answer.some((user) => !(user instanceof Error) && user.permissions.length > 0 && user.groups.length > 0), "the fixture grants through groups");
    const cache = new GroupPermissionsCache(db, 100);
    const first = await memberships(cache);
    assert.deepEqual(first.answer, expected.answer);
    assert.deepEqual(first.sent, ["grants", "memberships"]);
    const next = await memberships(cache);
    assert.deepEqual(next.answer, expected.answer);
    assert.deepEqual(next.sent, ["memberships"]);
  });

  test("requests that find it out of date wait for one read of the grants", async () => {
    const cache = new GroupPermissionsCache(db, 100);
    recorder.take();
    await Promise.all([createLoaders(db, cache).membershipsByUserId.load(userIds[0]!), createLoaders(db, cache).membershipsByUserId.load(userIds[1]!)]);
    assert.deepEqual(recorder.take().map(kindOf).sort(), ["grants", "memberships", "memberships"]);
  });

  test("a permission granted or taken from a group by another client is seen by the next request", async () => {
    const cache = new GroupPermissionsCache(db, 100);
    await memberships(cache);
    // A group and a permission it does not grant yet, and a member of that group.
    const group = await db.group.findFirstOrThrow({ where: { users: { some: {} } }, include: { permissions: true, users: true }, orderBy: { id: "asc" } });
    const permission = await db.permission.findFirstOrThrow({ where: { id: { notIn: group.permissions.map((p) => p.id) } } });
    const member = group.users[0]!.id;
    const permissionsOfMember = async () => {
      const answer = await createLoaders(db, cache).membershipsByUserId.load(member);
      return answer.permissions.map((p) => p.id);
    };
    assert.ok(!(await permissionsOfMember()).includes(permission.id));
    // Another connection to the same database, as the CLI's or another instance's.
    const other = createDatabase(target);
    try {
      await written(() => other.group.update({ where: { id: group.id }, data: { permissions: { connect: { id: permission.id } } } }));
      assert.ok((await permissionsOfMember()).includes(permission.id));
      assert.deepEqual((await memberships(cache)).answer, (await memberships()).answer);
      await written(() => other.group.update({ where: { id: group.id }, data: { permissions: { disconnect: { id: permission.id } } } }));
      assert.ok(!(await permissionsOfMember()).includes(permission.id));
    } finally {
      await other.$disconnect();
    }
  });

  test("with more grants than its size, or size 0, each statement reads the grants", async () => {
    const grants = await db.$queryRaw<{ count: number | bigint }[]>`SELECT COUNT(*) AS count FROM "_GroupToPermission"`;
    const tooSmall = new GroupPermissionsCache(db, Number(grants[0]!.count) - 1);
    const expected = await memberships();
    const first = await memberships(tooSmall);
    assert.deepEqual(first.answer, expected.answer);
    assert.deepEqual(first.sent, ["grants", "memberships with grants"]);
    assert.deepEqual((await memberships(tooSmall)).sent, ["memberships with grants"], "found too many once for this version");
    const none = new GroupPermissionsCache(db, 0);
    assert.deepEqual((await memberships(none)).sent, ["memberships with grants"]);
    assert.deepEqual((await memberships(none)).sent, ["memberships with grants"]);
    const exactly = new GroupPermissionsCache(db, Number(grants[0]!.count));
    await memberships(exactly);
    assert.deepEqual((await memberships(exactly)).sent, ["memberships"]);
  });

  test("a user read with its view's parts (on PostgreSQL in the user's statement, or the requester's) has the same memberships, without reading the grants again", async () => {
    const expected = await memberships();
    const cache = new GroupPermissionsCache(db, 100);
    await memberships(cache);
    const adminKey = hashTokenKey(keyFor("admin"));
    for (const [index, id] of userIds.entries()) {
      const byUser = createLoaders(db, cache);
      byUser.expectView(id, WHOLE_VIEW);
      recorder.take();
      await byUser.userById.load(id);
      assert.deepEqual(await byUser.membershipsByUserId.load(id), expected.answer[index]);
      // PostgreSQL: the user with its parts; SQLite: the user, then its memberships.
      assert.deepEqual(recorder.take().map((sql) => sql.includes("'granted'")), TEST_ENGINE === "postgres" ? [false] : [false, false]);

      const byRequester = createLoaders(db, cache);
      await findRequesterByKeyHash(db, adminKey, new Date(), byRequester.expectView(id, WHOLE_VIEW));
      assert.deepEqual(await byRequester.membershipsByUserId.load(id), expected.answer[index]);
    }
  });

  test("what it answers cannot be changed by the request that got it", async () => {
    const cache = new GroupPermissionsCache(db, 100);
    const grants = (await cache.current())!;
    const [permissions] = [...grants.values()];
    assert.throws(() => Object.assign(permissions![0]!, { code: 0 }), TypeError);
    assert.throws(() => (permissions as unknown[]).push({}), TypeError);
  });
});

test("without a known database version (PostgreSQL without its listening connection) the statement reads the grants", { skip: TEST_ENGINE !== "postgres" && "PostgreSQL only: SQLite always knows its version" }, async () => {
  const { db, recorder } = await createTestDatabase();
  await importFixture(db, parseFixture(directoryFixture()));
  assert.equal(databaseVersion(db), null);
  const cache = new GroupPermissionsCache(db, 100);
  recorder.take();
  await createLoaders(db, cache).membershipsByUserId.load(11);
  assert.deepEqual(recorder.take().map(kindOf), ["memberships with grants"]);
});
