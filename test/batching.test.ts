// The batching guarantee of SPEC section 5, measured as SQL statements that
// reach the driver: one user or fifteen, short lists or long, the same count.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, TEST_ENGINE, tokenHeader, type TestApp } from "./helpers.ts";
import { FifteenUsersDocument, UserEverythingDocument, UserNameDocument } from "./generated/graphql.ts";
import { wideFixture } from "./fixtures/wide.ts";

const admin = tokenHeader(keyFor("admin"));

function countStatements(app: TestApp, run: () => Promise<unknown>) {
  return async () => {
    app.recorder.take();
    await run();
    return app.recorder.take();
  };
}

describe("SQL statements per request", () => {
  let narrow: TestApp;
  let wide: TestApp;
  before(async () => {
    narrow = await createTestApp(wideFixture(30, 1));
    wide = await createTestApp(wideFixture(30, 6));
    // A requester's first request in a minute also records its use (the
    // user's last_seen_at, the token's lastUsedAt): made here, not counted.
    for (const app of [narrow, wide]) assert.equal((await app.request("GET", "/api/users/8/", admin)).status, 200);
  });

  // Even ids, whose inviters (the odd ids before them) are not among them: no
  // user's inviter is already in the loader's cache, as none is for one user.
  const fifteen = Object.fromEntries("abcdefghijklmno".split("").map((name, i) => [name, String(2 * (i + 1))]));
  const measure = (app: TestApp) => ({
    rest: countStatements(app, async () => {
      const response = await app.request("GET", "/api/users/8/", admin);
      assert.equal(response.status, 200);
    }),
    one: countStatements(app, async () => {
      const result = await app.graphql(UserEverythingDocument, { id: "8" }, admin);
      assert.equal(result.errors, undefined);
      // Its non-staff invitees and the next staff user, whom it invited too.
      assert.equal(result.data?.user?.invitees.length, (app === narrow ? 1 : 6) + 1);
    }),
    fifteen: countStatements(app, async () => {
      const result = await app.graphql(FifteenUsersDocument, fifteen, admin);
      assert.equal(result.errors, undefined);
      assert.equal(Object.values(result.data ?? {}).filter(Boolean).length, 15);
    }),
  });

  test("fifteen aliased users with every nested list cost what one user costs", async () => {
    const counts = measure(narrow);
    const rest = await counts.rest();
    const one = await counts.one();
    const fifteenUsers = await counts.fifteen();
    console.log(`statements per request (${TEST_ENGINE}): REST retrieve ${rest.length}, GraphQL user with every field ${one.length}, fifteen aliased users ${fifteenUsers.length}`);
    assert.equal(fifteenUsers.length, one.length, fifteenUsers.join("\n"));
    // The user, its inviter, invitees and memberships: where each is a round trip, in one statement (src/loaders.ts,
    // expectView); on SQLite four. On PostgreSQL the requester is not kept here (no change notifications): REST reads
    // the user in its statement, GraphQL, which cannot name the user before it parses, by a statement of its own.
    assert.equal(rest.length, TEST_ENGINE === "postgres" ? 1 : 4, rest.join("\n"));
    assert.equal(one.length, TEST_ENGINE === "postgres" ? 2 : 4, one.join("\n"));
    assert.ok(one.length <= 12, `expected a small constant, got ${one.length}:\n${one.join("\n")}`);
  });

  test("longer lists do not add statements", async () => {
    const narrowCounts = measure(narrow);
    const wideCounts = measure(wide);
    assert.equal((await wideCounts.one()).length, (await narrowCounts.one()).length);
    assert.equal((await wideCounts.fifteen()).length, (await narrowCounts.fifteen()).length);
    assert.equal((await wideCounts.rest()).length, (await narrowCounts.rest()).length);
  });

  test("GraphQL reads with a user only the parts of its view that its selection names", async () => {
    const statements = (document: typeof UserNameDocument | typeof UserEverythingDocument) =>
      countStatements(narrow, async () => assert.equal((await narrow.graphql(document, { id: "8" }, admin)).errors, undefined))();
    // The user's statement, where parts are read alongside (PostgreSQL): its invitees and memberships as JSON.
    const partsRead = (statement: string) => ["inviter", "invitees", "memberships"].filter((part) => statement.includes(`"User.${part}"`));
    const nameOnly = await statements(UserNameDocument);
    const everything = await statements(UserEverythingDocument);
    const expectedWithEverything = TEST_ENGINE === "postgres" ? ["invitees", "memberships"] : [];
    assert.deepEqual(nameOnly.flatMap(partsRead), [], nameOnly.join("\n"));
    assert.deepEqual(everything.flatMap(partsRead), expectedWithEverything, everything.join("\n"));
  });

  test("loaders are not shared between requests: a change is seen by the next request", async () => {
    const before = await narrow.graphql(UserEverythingDocument, { id: "7" }, admin);
    await narrow.db.user.update({ where: { id: 7 }, data: { firstName: "Renamed" } });
    const after = await narrow.graphql(UserEverythingDocument, { id: "7" }, admin);
    assert.equal(before.data?.user?.firstName, "First 7");
    assert.equal(after.data?.user?.firstName, "Renamed");
  });
});
