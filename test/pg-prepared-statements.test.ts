// PostgreSQL's prepared statements (src/db/pg-statement-names.ts), on a real
// server: reads are prepared once per connection, only as many texts as
// DATABASE_PREPARED_STATEMENTS allows, and a migration that changes what a
// prepared statement returns does not leave it failing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Prisma } from "../generated/sqlite/prisma/client.ts";
import { runOnServer } from "../scripts/postgres-cluster.ts";
import { DEFAULT_POOL_SETTINGS } from "../src/db/adapter.ts";
import { readRows, type Database } from "../src/db/client.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { createLoaders } from "../src/loaders.ts";
import { DEMO_FIXTURE } from "./fixtures/directory.ts";
import { createTestDatabase, TEST_ENGINE } from "./helpers.ts";

const skip = TEST_ENGINE !== "postgres" && "prepared statements are PostgreSQL's; this runs in the postgres pass of npm test";

/** One connection, so that every statement below runs on the connection that pg_prepared_statements describes. */
async function oneConnection(preparedStatements: number) {
  const { db, target } = await createTestDatabase({ pool: { ...DEFAULT_POOL_SETTINGS, poolSize: 1, preparedStatements } });
  await importFixture(db, parseFixture(DEMO_FIXTURE));
  const url = target.engine === "postgres" ? target.connectionString : "";
  return { db, alter: (sql: string) => runOnServer(url, sql) };
}

/** The statements the connection holds prepared, by their SQL text. */
async function prepared(db: Database): Promise<string[]> {
  const rows = await db.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements`;
  return rows.map((row) => row.statement);
}

const readUser = (db: Database, id: number) => createLoaders(db).userById.load(id);
// userById's statement (src/loaders.ts): the users, each with its inviter.
const userRead = (statements: string[]) => statements.filter((sql) => /^\s*SELECT "User"\.\*, .* WHERE "User"\.id IN \(\$1\)$/s.test(sql));

describe("prepared statements on PostgreSQL", { skip }, () => {
  test("a read is prepared once on its connection, then only executed", async () => {
    const { db } = await oneConnection(DEFAULT_POOL_SETTINGS.preparedStatements);
    for (const id of [1, 2, 3, 2]) assert.equal((await readUser(db, id))?.id, id);
    assert.equal(userRead(await prepared(db)).length, 1);
  });

  test("DATABASE_PREPARED_STATEMENTS=0 prepares nothing", async () => {
    const { db } = await oneConnection(0);
    assert.equal((await readUser(db, 2))?.id, 2);
    assert.deepEqual(await prepared(db), []);
  });

  test("no more texts are prepared than the setting allows; the others are still answered", async () => {
    const { db } = await oneConnection(2);
    const userIds = (await db.user.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((user) => user.id);
    for (const length of [1, 2, 3, 4, 5]) {
      const ids = userIds.slice(0, length);
      const rows = await readRows<{ id: number }>(db, Prisma.sql`SELECT id FROM "User" WHERE id IN (${Prisma.join(ids)}) ORDER BY id`);
      assert.deepEqual(rows.map((row) => row.id), ids);
    }
    assert.equal((await prepared(db)).length, 2);
  });

  test("a migration that changes what a prepared read returns: the read is answered at once, prepared again", async () => {
    const { db, alter } = await oneConnection(DEFAULT_POOL_SETTINGS.preparedStatements);
    // Through the client: readRows() would also try the client again after a failure, which would hide one.
    const readUserRow = (id: number) => db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM "User" WHERE id = ${id}`;
    const statement = (statements: string[]) => statements.filter((sql) => sql === 'SELECT * FROM "User" WHERE id = $1');
    assert.equal((await readUserRow(2))[0]?.id, 2);
    // `SELECT *` now returns one more column: PostgreSQL refuses the statement prepared before.
    await alter(`ALTER TABLE "User" ADD COLUMN "nickname" TEXT`);
    const [user] = await readUserRow(2);
    assert.equal(user?.id, 2);
    assert.equal(user?.nickname, null);
    // Prepared again under a new name (pg's pool also drops the connection that failed), then reused.
    const preparedAgain = statement(await prepared(db)).length;
    assert.equal((await readUserRow(3))[0]?.id, 3);
    assert.equal(statement(await prepared(db)).length, preparedAgain);
  });

  test("the same in a transaction: refused once (the transaction is aborted), prepared again the next time", async () => {
    const { db, alter } = await oneConnection(DEFAULT_POOL_SETTINGS.preparedStatements);
    const readGroups = () => db.$transaction((tx) => tx.$queryRaw<{ id: number }[]>`SELECT * FROM "Group" ORDER BY id`);
    const groups = (await readGroups()).map((group) => group.id);
    await alter(`ALTER TABLE "Group" ADD COLUMN "note" TEXT`);
    await assert.rejects(readGroups(), /cached plan must not change result type/);
    assert.deepEqual((await readGroups()).map((group) => group.id), groups);
  });
});
