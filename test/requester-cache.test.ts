// The requester cache (src/auth/requester-cache.ts) answers a key's requester
// without a statement only while nothing was written to the database since
// it was read: by this client, by a rolled-back transaction, or by another
// client of the same file (as `npm run cli -- token revoke` is). Whatever it
// answers is what the statement would answer. On PostgreSQL it reads every time.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { RequesterCache } from "../src/auth/requester-cache.ts";
import { hashTokenKey } from "../src/auth/token-keys.ts";
import { createDatabase, type Database } from "../src/db/client.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { findRequesterByKeyHash } from "../src/loaders.ts";
import type { DatabaseTarget } from "../src/db/url.ts";
import type { StatementRecorder } from "../src/db/statement-recorder.ts";
import { directoryFixture, requesters } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestDatabase, TEST_ENGINE } from "./helpers.ts";

const adminKey = hashTokenKey(keyFor("admin"));
const readerKey = hashTokenKey(keyFor("groupReader"));
const cached = TEST_ENGINE === "sqlite";

describe(`the requester cache (${TEST_ENGINE}: ${cached ? "kept while the database is unchanged" : "every request reads"})`, () => {
  let db: Database;
  let target: DatabaseTarget;
  let recorder: StatementRecorder;
  before(async () => {
    ({ db, target, recorder } = await createTestDatabase());
    await importFixture(db, parseFixture(directoryFixture()));
  });

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
    assert.equal(await requesterReads(async () => assert.deepEqual(await cache.find(adminKey, now), expected)), cached ? 0 : 1);
    assert.equal(await requesterReads(() => cache.find(readerKey, now)), 1, "another key is read");
  });

  test("a write by the same client is seen by the next request", async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    const { lastSeenAt } = (await cache.find(adminKey, now))!.user;
    const changed = new Date("2020-01-02T03:04:05.678Z");
    await db.user.update({ where: { id: requesters.admin }, data: { lastSeenAt: changed } });
    assert.equal(await requesterReads(async () => assert.deepEqual((await cache.find(adminKey, now))?.user.lastSeenAt, changed)), 1);
    await db.user.update({ where: { id: requesters.admin }, data: { lastSeenAt } });
  });

  test("a write that was rolled back is not kept", async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    const before = (await cache.find(adminKey, now))!.user.lastSeenAt;
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
  });

  test("a token revoked and a user deactivated by another client are refused at once", async () => {
    const cache = new RequesterCache(db, 10);
    const now = new Date();
    assert.ok(await cache.find(adminKey, now));
    assert.ok(await cache.find(readerKey, now));
    // Another connection to the same database, as the CLI's in its own process.
    const other = createDatabase(target);
    try {
      await other.apiToken.delete({ where: { keyHash: adminKey } });
      assert.equal(await cache.find(adminKey, now), null);
      await other.user.update({ where: { id: requesters.groupReader }, data: { isActive: false } });
      assert.equal((await cache.find(readerKey, now))?.user.isActive, false);
    } finally {
      await other.$disconnect();
    }
  });

  test("a kept token is refused from its expiry on, without a statement", async () => {
    const now = new Date();
    const key = hashTokenKey(keyFor("directReader"));
    await db.apiToken.update({ where: { keyHash: key }, data: { expiresAt: new Date(now.getTime() + 1_000) } });
    const cache = new RequesterCache(db, 10);
    assert.ok(await cache.find(key, now));
    assert.equal(await requesterReads(async () => assert.ok(await cache.find(key, new Date(now.getTime() + 999)))), cached ? 0 : 1);
    assert.equal(await requesterReads(async () => assert.equal(await cache.find(key, new Date(now.getTime() + 1_000)), null)), cached ? 0 : 1);
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
    if (!cached) return;
    assert.throws(() => Object.assign(found.user, { isAdmin: true }), TypeError);
    assert.throws(() => Object.assign(found, { holdsUserPermission: false }), TypeError);
  });
});
