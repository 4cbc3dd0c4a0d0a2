// The requester cache (src/auth/requester-cache.ts) answers a key's requester
// without a statement only while nothing was written to the database since
// it was read: by this client, by a rolled-back transaction, or by another
// client of the same database (as `npm run cli -- token revoke` is). Whatever
// it answers is what the statement would answer. On PostgreSQL a write is
// known by its notification (src/db/change-notifications.ts), which comes a
// moment after the commit: the tests wait for the version to move, as a
// request that comes after it would find it moved. Without its listening
// connection, every request reads.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { RequesterCache } from "../src/auth/requester-cache.ts";
import { hashTokenKey } from "../src/auth/token-keys.ts";
import { createDatabase, databaseVersion, type Database } from "../src/db/client.ts";
import { LISTENER_APPLICATION_NAME } from "../src/db/change-notifications.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { findRequesterByKeyHash } from "../src/loaders.ts";
import type { DatabaseTarget } from "../src/db/url.ts";
import type { StatementRecorder } from "../src/db/statement-recorder.ts";
import { directoryFixture, requesters } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestDatabase, TEST_ENGINE, until } from "./helpers.ts";

const adminKey = hashTokenKey(keyFor("admin"));
const readerKey = hashTokenKey(keyFor("groupReader"));
/** A notification's way is milliseconds. */
const SOON = { withinMs: 2_000, everyMs: 5 };

describe(`the requester cache (${TEST_ENGINE}: kept while the database is unchanged)`, () => {
  let db: Database;
  let target: DatabaseTarget;
  let recorder: StatementRecorder;
  before(async () => {
    ({ db, target, recorder } = await createTestDatabase({ watchChanges: true }));
    // Listening before the import, so that the test waits for the import's
    // notification (one: it is one transaction) rather than meeting it late.
    await db.$connect();
    await until("the version to be known", () => databaseVersion(db) !== null, SOON);
    await written(() => importFixture(db, parseFixture(directoryFixture())));
  });

  /** Runs `write`, then waits until the database's version shows it (at once on SQLite). */
  async function written(write: () => Promise<unknown>) {
    const before = databaseVersion(db);
    await write();
    await until("the write's notification", () => databaseVersion(db) !== before, SOON);
  }

  /** The requester statements `run` sent. */
  async function requesterReads(run: () => Promise<unknown>) {
    recorder.take();
    await run();
    return recorder.take().filter((sql) => sql.includes('FROM "ApiToken"')).length;
  }

  test("answers what the statement answers, and reads a key once while nothing is written", async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    const expected = await findRequesterByKeyHash(db, adminKey, now);
    assert.ok(expected);
    assert.equal(await requesterReads(async () => assert.deepEqual(await cache.find(adminKey, now), expected)), 1);
    assert.equal(await requesterReads(async () => assert.deepEqual(await cache.find(adminKey, now), expected)), 0);
    assert.equal(await requesterReads(() => cache.find(readerKey, now)), 1, "another key is read");
  });

  test("a write by the same client is seen by the next request", async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    const { lastSeenAt } = (await cache.find(adminKey, now))!.user;
    const changed = new Date("2020-01-02T03:04:05.678Z");
    await written(() => db.user.update({ where: { id: requesters.admin }, data: { lastSeenAt: changed } }));
    assert.equal(await requesterReads(async () => assert.deepEqual((await cache.find(adminKey, now))?.user.lastSeenAt, changed)), 1);
    await written(() => db.user.update({ where: { id: requesters.admin }, data: { lastSeenAt } }));
  });

  test("a write that was rolled back is not kept", async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    const before = (await cache.find(adminKey, now))!.user.lastSeenAt;
    const version = databaseVersion(db);
    await assert.rejects(
      db.$transaction(async (tx) => {
        await tx.user.update({ where: { id: requesters.admin }, data: { lastSeenAt: new Date("2020-01-02T03:04:05.678Z") } });
        // On SQLite the cache reads the transaction's own connection, which sees the write.
        await cache.find(adminKey, now);
        throw new Error("roll back");
      }),
      /roll back/,
    );
    assert.deepEqual((await cache.find(adminKey, now))?.user.lastSeenAt, before);
    if (TEST_ENGINE === "postgres") assert.equal(databaseVersion(db), version, "a rolled-back write sends no notification");
  });

  test("a token revoked and a user deactivated by another client are refused at once", async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    assert.ok(await cache.find(adminKey, now));
    assert.ok(await cache.find(readerKey, now));
    // Another connection to the same database, as the CLI's in its own process.
    const other = createDatabase(target);
    try {
      await written(() => other.apiToken.delete({ where: { keyHash: adminKey } }));
      assert.equal(await cache.find(adminKey, now), null);
      await written(() => other.user.update({ where: { id: requesters.groupReader }, data: { isActive: false } }));
      assert.equal((await cache.find(readerKey, now))?.user.isActive, false);
    } finally {
      await other.$disconnect();
    }
  });

  test("a kept token is refused from its expiry on, without a statement", async () => {
    const now = new Date();
    const key = hashTokenKey(keyFor("directReader"));
    await written(() => db.apiToken.update({ where: { keyHash: key }, data: { expiresAt: new Date(now.getTime() + 1_000) } }));
    const cache = new RequesterCache(db, 10);
    assert.ok(await cache.find(key, now));
    assert.equal(await requesterReads(async () => assert.ok(await cache.find(key, new Date(now.getTime() + 999)))), 0);
    assert.equal(await requesterReads(async () => assert.equal(await cache.find(key, new Date(now.getTime() + 1_000)), null)), 0);
  });

  test("it keeps at most its size, the least recently used dropped first; size 0 keeps nothing", async () => {
    const now = new Date();
    const one = new RequesterCache(db, 1);
    const reads = await requesterReads(async () => {
      for (const key of [readerKey, hashTokenKey(keyFor("plainStaff")), readerKey]) await one.find(key, now);
    });
    assert.equal(reads, 3);
    const none = new RequesterCache(db, 0);
    assert.equal(await requesterReads(async () => Promise.all([none.find(readerKey, now), none.find(readerKey, now)])), 2);
  });

  test("what it answers cannot be changed by the request that got it", async () => {
    const cache = new RequesterCache(db, 10);
    const found = (await cache.find(readerKey, new Date()))!;
    assert.throws(() => Object.assign(found.user, { isAdmin: true }), TypeError);
    assert.throws(() => Object.assign(found, { holdsUserPermission: false }), TypeError);
  });

  test("PostgreSQL: while its listening connection is lost every request reads, and it comes back by itself", { skip: TEST_ENGINE !== "postgres" && "PostgreSQL only: SQLite reads its version from its own connection" }, async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    const plainStaff = hashTokenKey(keyFor("plainStaff"));
    await cache.find(plainStaff, now);
    assert.equal(await requesterReads(() => cache.find(plainStaff, now)), 0);
    const before = databaseVersion(db)!;
    const ended = await db.$queryRaw<{ ended: boolean }[]>`
      SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = ${LISTENER_APPLICATION_NAME} AND datname = current_database()`;
    assert.deepEqual(ended, [{ ended: true }]);
    await until("the lost connection to be noticed", () => databaseVersion(db) === null, SOON);
    assert.equal(await requesterReads(() => Promise.all([cache.find(plainStaff, now), cache.find(plainStaff, now)])), 2);
    await until("a new connection to listen", () => databaseVersion(db) !== null, SOON);
    assert.notEqual(databaseVersion(db)!.split(":")[0], before.split(":")[0], "a version of the new connection");
    assert.equal(await requesterReads(() => cache.find(plainStaff, now)), 1, "what was kept before the gap is read again");
    assert.equal(await requesterReads(() => cache.find(plainStaff, now)), 0);
  });
});
