// readRows() on SQLite reads straight from better-sqlite3
// (src/db/sqlite-records.ts), copying the rules by which the driver adapter
// and Prisma's client type a row. Here generated rows, of every type a SQLite
// column may hold whatever its declared type, and generated arguments are
// read both ways, readRows() and the ORM's own `$queryRaw`: where readRows()
// answers from its own path, its answer must be the ORM's, value for value
// and type for type (a number is not a BigInt, a Date is not a string).
//
// fast-check draws a new seed each run and prints it, with the smallest
// failing input, when a property fails: `fc.assert(..., { seed, path })`
// replays it.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import { readPaths, readRows, type Database } from "../src/db/client.ts";
import { Prisma } from "../generated/sqlite/prisma/client.ts";
import { createTestDatabase, TEST_ENGINE } from "./helpers.ts";

/** What readRows() answers, or that it failed; and whether it read on its own path. */
async function throughReadRows(db: Database, query: Prisma.Sql) {
  const before = readPaths(db).direct;
  try {
    const rows = await readRows(db, query);
    return { rows, direct: readPaths(db).direct > before };
  } catch (error) {
    return { error, direct: readPaths(db).direct > before };
  }
}

/** Rows as assert can compare them: an invalid Date is not deep-equal to another (its time is NaN), so dates are written out. */
const comparable = (rows: unknown[]) =>
  (rows as Record<string, unknown>[]).map((row) =>
    Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value instanceof Date ? `Date ${value.getTime()}` : value])),
  );

async function throughTheOrm(db: Database, query: Prisma.Sql) {
  try {
    return { rows: await db.$queryRaw<unknown[]>(query) };
  } catch (error) {
    return { error };
  }
}

// Each column's declared type is one the adapter maps (INTEGER, BIGINT,
// TEXT, BOOLEAN, DATETIME, REAL), one it does not know (VARCHAR(20)), or none.
const COLUMNS = ["i INTEGER", "b BIGINT", "t TEXT", "f BOOLEAN", "d DATETIME", "r REAL", "v VARCHAR(20)", "n"];

/** A value as a SQLite column may hold it: null, an integer of any size, a real, text, or a timestamp bound by Prisma. */
const storedValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.constantFrom(0, 1, -1),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom("0", "1", "true", "false", "2021-03-04T05:06:07.089+00:00", "2021-03-04 05:06:07", ""),
  fc.string({ maxLength: 8 }),
  fc.date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }),
  fc.boolean(),
);

/** An argument as the service binds them: null, booleans, integers, reals, text, dates. */
const argument = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  fc.date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }),
);

describe("readRows on SQLite answers as the ORM's $queryRaw", { skip: TEST_ENGINE !== "sqlite" && "SQLite only: PostgreSQL's reads go through its driver adapter" }, () => {
  let db: Database;
  before(async () => {
    ({ db } = await createTestDatabase());
    await db.$executeRawUnsafe(`CREATE TABLE sample (id INTEGER PRIMARY KEY, ${COLUMNS.join(", ")})`);
  });

  const rowsArbitrary = fc.array(fc.tuple(...COLUMNS.map(() => storedValue)), { minLength: 0, maxLength: 4 });

  async function store(rows: unknown[][]) {
    await db.$executeRawUnsafe("DELETE FROM sample");
    for (const row of rows) await db.$executeRaw(Prisma.sql`INSERT INTO sample (i, b, t, f, d, r, v, n) VALUES (${Prisma.join(row)})`);
  }

  async function agree(query: Prisma.Sql) {
    const ours = await throughReadRows(db, query);
    const orm = await throughTheOrm(db, query);
    if (!ours.direct) return false;
    assert.ok(!("error" in ours), "a direct read does not fail");
    assert.ok(!("error" in orm), `the ORM failed where readRows answered: ${String(orm.error)}`);
    assert.deepEqual(comparable(ours.rows), comparable(orm.rows));
    return true;
  }

  test("whole rows, and expressions without a declared type", async () => {
    let direct = 0;
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, argument, async (rows, arg) => {
        await store(rows);
        for (const query of [
          Prisma.sql`SELECT * FROM sample ORDER BY id`,
          Prisma.sql`SELECT i + 0 AS sum, COUNT(*) AS count, ${arg} AS echoed, CASE WHEN f THEN 1 ELSE 0 END AS flag, t || '' AS text FROM sample GROUP BY id ORDER BY id`,
          Prisma.sql`SELECT id FROM sample WHERE d > ${arg} OR t = ${arg} OR f = ${arg} ORDER BY id`,
        ]) {
          if (await agree(query)) direct++;
        }
      }),
      // -0 as the argument: the ORM answers 0 (found by this property, seed 831479215).
      { numRuns: 150, examples: [[[[0, new Date(0), null, new Date(0), new Date(0), false, "0", ""]], -0]] },
    );
    // Most reads must take the direct path, or the property above proves little.
    assert.ok(direct > 300, `${direct} of 450 reads were direct`);
  });
});
