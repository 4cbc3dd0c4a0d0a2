// The loaders read with SQL written by hand (src/loaders.ts says why). Each
// must answer exactly what the Prisma query it replaced answers, values and
// types alike (booleans, dates, null), for every user of a directory that has
// every shape: inviters and invitees, groups, direct and inherited
// permissions, tokens (two fixtures between them). On both engines.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { hashTokenKey } from "../src/auth/token-keys.ts";
import { readPaths, type Database } from "../src/db/client.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { USER_PERMISSION_CODE } from "../src/auth/access.ts";
import { createLoaders, findRequesterByKeyHash, WHOLE_VIEW, type Loaders, type UserViewParts } from "../src/loaders.ts";
import { directoryFixture, requesters } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestDatabase, TEST_ENGINE } from "./helpers.ts";
import { wideFixture } from "./fixtures/wide.ts";

/** Statements that reading a loaded user's inviter's summary sends: on PostgreSQL it was read with the user (src/loaders.ts, inviterAlongside). */
const inviterStatements = TEST_ENGINE === "postgres" ? 0 : 1;

/** Everything a user's whole view (the REST body) loads, in the order REST loads it: the user, then its inviter, invitees and memberships at once. */
async function loadWholeView(loaders: Loaders, userId: number) {
  const user = await loaders.userById.load(userId);
  if (!user) return { user };
  const [inviter, invitees, memberships] = await Promise.all([
    user.invitedById === null ? null : loaders.summaryById.load(user.invitedById),
    loaders.inviteesByInviterId.load(userId),
    loaders.membershipsByUserId.load(userId),
  ]);
  return { user, inviter, invitees, memberships };
}

/**
 * Statements loadWholeView sends when `parts` of the view were expected
 * (expectView): on PostgreSQL, the user's and one for each part not expected;
 * on SQLite, as if none were.
 */
function wholeViewStatements(view: Awaited<ReturnType<typeof loadWholeView>>, parts: UserViewParts): number {
  if (!view.user) return 1;
  if (TEST_ENGINE === "postgres") return 1 + Number(!parts.invitees) + Number(!parts.memberships);
  return 3 + (view.user.invitedById === null ? 0 : 1);
}

/** The ORM's select of a user's summary (UserSummaryRow). */
const SUMMARY = { id: true, username: true, firstName: true, lastName: true } as const;

const EVERY_PARTS: UserViewParts[] = [false, true].flatMap((invitees) => [false, true].map((memberships) => ({ invitees, memberships })));

const fixtures = {
  "the directory fixture (every kind of requester, with tokens)": directoryFixture(),
  "a wide fixture (invitee lists, many groups and permissions)": wideFixture(5, 3),
};

for (const [name, fixture] of Object.entries(fixtures)) describe(name, () => {
  let db: Database;
  let ids: number[];
  before(async () => {
    ({ db } = await createTestDatabase());
    await importFixture(db, parseFixture(fixture));
    // Past the last user too: a missing id has its answer.
    ids = [...(await db.user.findMany({ select: { id: true } })).map((user) => user.id), 9999];
  });

  /** Every id at once, as one batch, as the loaders see keys collected in one tick. */
  const loadAll = <V>(loader: { loadMany(keys: number[]): Promise<(V | Error)[]> }) => loader.loadMany(ids);

  test("the reads go straight to the driver adapter, not through the ORM's interpreter (src/db/client.ts, readRows)", async () => {
    const before = readPaths(db);
    await loadAll(createLoaders(db).userById);
    await loadAll(createLoaders(db).membershipsByUserId);
    const after = readPaths(db);
    // The client has connected (the fixture's import did): nothing falls back to it.
    assert.equal(after.throughTheOrm, before.throughTheOrm);
    assert.equal(after.direct, before.direct + 2);
  });

  test("userById answers the ORM's whole rows", async () => {
    const expected = await Promise.all(ids.map((id) => db.user.findUnique({ where: { id } })));
    assert.deepEqual(await loadAll(createLoaders(db).userById), expected);
  });

  test("summaryById answers the ORM's summaries (id, username and names)", async () => {
    const expected = await Promise.all(ids.map((id) => db.user.findUnique({ where: { id }, select: SUMMARY })));
    assert.deepEqual(await loadAll(createLoaders(db).summaryById), expected);
  });

  test("a user the request has whole is its own summary: summaryById reads nothing for users userById loaded or knownUsers was given", async () => {
    const expected = await Promise.all(ids.map((id) => db.user.findUnique({ where: { id }, select: SUMMARY })));
    const loaded = createLoaders(db);
    await loadAll(loaded.userById);
    const known = createLoaders(db);
    known.knownUsers(await db.user.findMany());
    for (const loaders of [loaded, known]) {
      const before = readPaths(db).direct;
      // 9999 is no user: userById's batch answered null for it, knownUsers was not given it.
      const summaries = await loaders.summaryById.loadMany(ids.slice(0, -1));
      assert.deepEqual(summaries, expected.slice(0, -1));
      assert.equal(readPaths(db).direct - before, 0);
    }
  });

  test("userById reads each user's inviter's summary in the same statement on PostgreSQL (primed as summaryById answers it), by a statement of its own on SQLite", async () => {
    for (const user of await db.user.findMany({ where: { invitedById: { not: null } } })) {
      const loaders = createLoaders(db);
      await loaders.userById.load(user.id);
      const before = readPaths(db).direct;
      assert.deepEqual(await loaders.summaryById.load(user.invitedById!), await db.user.findUnique({ where: { id: user.invitedById! }, select: SUMMARY }), `inviter of ${user.id}`);
      assert.equal(readPaths(db).direct - before, inviterStatements, `inviter of ${user.id}`);
    }
  });

  test("expectView: the same user, inviter, invitees and memberships as the loaders read apart, on PostgreSQL the expected parts in the user's statement", async () => {
    for (const id of ids) {
      const expected = await loadWholeView(createLoaders(db), id);
      for (const parts of EVERY_PARTS) {
        const loaders = createLoaders(db);
        const alongside = loaders.expectView(id, parts);
        assert.equal(alongside !== undefined, TEST_ENGINE === "postgres", "read with the requester where statements are round trips");
        const before = readPaths(db).direct;
        const view = await loadWholeView(loaders, id);
        assert.deepEqual(view, expected, `user ${id}, ${JSON.stringify(parts)}`);
        assert.equal(readPaths(db).direct - before, wholeViewStatements(view, parts), `statements for user ${id}, ${JSON.stringify(parts)}`);
      }
    }
  });

  test("expectView for every user of a batch: the same views, on PostgreSQL in one statement", async () => {
    const expected = await Promise.all(ids.map((id) => loadWholeView(createLoaders(db), id)));
    const loaders = createLoaders(db);
    for (const id of ids) loaders.expectView(id, WHOLE_VIEW);
    const before = readPaths(db).direct;
    assert.deepEqual(await Promise.all(ids.map((id) => loadWholeView(loaders, id))), expected);
    if (TEST_ENGINE === "postgres") assert.equal(readPaths(db).direct - before, 1);
  });

  test("inviteesByInviterId answers the ORM's summaries, by id", async () => {
    const expected = await Promise.all(
      ids.map((id) =>
        db.user.findMany({
          where: { invitedById: id },
          select: { id: true, username: true, firstName: true, lastName: true, invitedById: true },
          orderBy: { id: "asc" },
        }),
      ),
    );
      assert.deepEqual(await loadAll(createLoaders(db).inviteesByInviterId), expected);
  });

  test("inviteesCountByInviterId answers the ORM's counts, as numbers", async () => {
    const expected = await Promise.all(ids.map((id) => db.user.count({ where: { invitedById: id } })));
    assert.deepEqual(await loadAll(createLoaders(db).inviteesCountByInviterId), expected);
  });

  test("inviteesCountByInviterId counts from the invitees when the same tick asks for them: the same counts, one statement", async () => {
    const expected = await Promise.all(ids.map((id) => db.user.count({ where: { invitedById: id } })));
    const loaders = createLoaders(db);
    const before = readPaths(db).direct;
    // Half the ids' invitees asked too: those are counted from the rows, the rest by COUNT.
    const [counts] = await Promise.all([loadAll(loaders.inviteesCountByInviterId), loaders.inviteesByInviterId.loadMany(ids.filter((_, index) => index % 2 === 0))]);
    assert.deepEqual(counts, expected);
    assert.equal(readPaths(db).direct - before, 2, "one statement for the invitees, one COUNT for the others");
    const everyOne = createLoaders(db);
    const beforeAll = readPaths(db).direct;
    const [allCounts] = await Promise.all([loadAll(everyOne.inviteesCountByInviterId), loadAll(everyOne.inviteesByInviterId)]);
    assert.deepEqual(allCounts, expected);
    assert.equal(readPaths(db).direct - beforeAll, 1, "the invitees' statement only");
  });

  test("membershipsByUserId answers the ORM's groups and effective permissions, each once, by id", async () => {
    const expected = await Promise.all(
      ids.map(async (id) => {
        const user = await db.user.findUnique({
          where: { id },
          select: { permissions: true, groups: { orderBy: { id: "asc" }, include: { permissions: true } } },
        });
        const permissions = new Map(
          [...(user?.permissions ?? []), ...(user?.groups ?? []).flatMap((group) => group.permissions)].map((p) => [p.id, p]),
        );
        return {
          groups: (user?.groups ?? []).map(({ id, name }) => ({ id, name })),
          permissions: [...permissions.values()].sort((a, b) => a.id - b.id),
        };
      }),
    );
    assert.deepEqual(await loadAll(createLoaders(db).membershipsByUserId), expected);
  });

  test("findRequesterByKeyHash answers the ORM's user (what the rules ask of it) and token for a key, whether it holds UserPermission, and null for an unknown or expired key", async () => {
    const now = new Date();
    for (const name of Object.keys(requesters)) {
      const keyHash = hashTokenKey(keyFor(name));
      const user = await db.user.findFirst({ where: { apiTokens: { some: { keyHash } } } });
      const found = await findRequesterByKeyHash(db, keyHash, now);
      if (!user) {
        assert.equal(found, null, name);
        continue;
      }
      const token = await db.apiToken.findUniqueOrThrow({ where: { keyHash }, select: { id: true, lastUsedAt: true, expiresAt: true } });
      const memberships = await createLoaders(db).membershipsByUserId.load(user.id);
      const holdsUserPermission = memberships.permissions.some((permission) => permission.code === USER_PERMISSION_CODE);
      const { id, isActive, isStaff, isAdmin, lastSeenAt } = user;
      assert.deepEqual(found, { user: { id, isActive, isStaff, isAdmin, lastSeenAt }, holdsUserPermission, token }, name);
    }
    assert.equal(await findRequesterByKeyHash(db, hashTokenKey("not-a-key"), now), null);

    const keyHash = hashTokenKey(keyFor("admin"));
    if (!(await db.apiToken.findUnique({ where: { keyHash } }))) return;
    const lastUsedAt = new Date(now.getTime() - 5_000);
    await db.apiToken.update({ where: { keyHash }, data: { expiresAt: new Date(now.getTime() + 1_000), lastUsedAt } });
    const expiresAt = new Date(now.getTime() + 1_000);
    assert.deepEqual((await findRequesterByKeyHash(db, keyHash, now))?.token, { id: (await db.apiToken.findUniqueOrThrow({ where: { keyHash } })).id, lastUsedAt, expiresAt });
    assert.equal(await findRequesterByKeyHash(db, keyHash, new Date(now.getTime() + 1_000)), null, "expired at its expiresAt");
    await db.apiToken.update({ where: { keyHash }, data: { expiresAt: null, lastUsedAt: null } });
  });

  test("findRequesterByKeyHash with a user alongside: the same requester, and in the same statement that user (and on PostgreSQL its inviter's summary), primed as userById and summaryById answer them (the ORM's rows, or null)", async (t) => {
    const now = new Date();
    const keyHash = hashTokenKey(keyFor("admin"));
    const alone = await findRequesterByKeyHash(db, keyHash, now);
    if (!alone) return t.skip("no admin token in this fixture");
    const expected = await Promise.all(ids.map((id) => db.user.findUnique({ where: { id } })));
    for (const [index, userId] of ids.entries()) {
      const loaders = createLoaders(db);
      const before = readPaths(db).direct;
      assert.deepEqual(await findRequesterByKeyHash(db, keyHash, now, { userId, loaders }), alone);
      assert.deepEqual(await loaders.userById.load(userId), expected[index], `user ${userId}`);
      assert.equal(readPaths(db).direct, before + 1, "one statement: the user was primed");
      const inviterId = expected[index]?.invitedById;
      if (inviterId == null) continue;
      assert.deepEqual(await loaders.summaryById.load(inviterId), await db.user.findUnique({ where: { id: inviterId }, select: SUMMARY }), `inviter of ${userId}`);
      assert.equal(readPaths(db).direct, before + 1 + inviterStatements, `inviter of ${userId}`);
    }
    // An unknown key: no row, so nothing is primed, and a load reads.
    const loaders = createLoaders(db);
    const before = readPaths(db).direct;
    assert.equal(await findRequesterByKeyHash(db, hashTokenKey("not-a-key"), now, { userId: ids[0]!, loaders }), null);
    assert.deepEqual(await loaders.userById.load(ids[0]!), expected[0]);
    assert.equal(readPaths(db).direct, before + 2);
  });

  test("findRequesterByKeyHash with a user whose whole view is expected: the same requester and view, on PostgreSQL in the requester's one statement", async (t) => {
    const now = new Date();
    const keyHash = hashTokenKey(keyFor("admin"));
    const alone = await findRequesterByKeyHash(db, keyHash, now);
    if (!alone) return t.skip("no admin token in this fixture");
    for (const userId of ids) {
      const expected = await loadWholeView(createLoaders(db), userId);
      const loaders = createLoaders(db);
      loaders.expectView(userId, WHOLE_VIEW);
      const before = readPaths(db).direct;
      assert.deepEqual(await findRequesterByKeyHash(db, keyHash, now, { userId, loaders }), alone);
      const view = await loadWholeView(loaders, userId);
      assert.deepEqual(view, expected, `user ${userId}`);
      // On SQLite the requester's statement read the user; the rest of its view is read as without it.
      const rest = TEST_ENGINE === "postgres" || !view.user ? 0 : wholeViewStatements(view, WHOLE_VIEW) - 1;
      assert.equal(readPaths(db).direct - before, 1 + rest, `statements for user ${userId}`);
    }
  });
});
