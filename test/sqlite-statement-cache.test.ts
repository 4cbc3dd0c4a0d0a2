// The prepared-statement cache that the SQLite adapter's connection gets
// (src/db/sqlite-statement-cache.ts), on a real better-sqlite3 database, used the
// way @prisma/adapter-better-sqlite3 uses its connection.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { cachePreparedStatements } from "../src/db/sqlite-statement-cache.ts";

function database(max?: number) {
  const db = new BetterSqlite3(":memory:");
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  // Counts what reaches SQLite's own prepare, beneath the cache.
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  cachePreparedStatements(db, max);
  db.exec("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)");
  return { db, prepared };
}

describe("cached prepared statements", () => {
  test("the same SQL is prepared once and answers each call with that call's arguments", () => {
    const { db, prepared } = database();
    const insert = "INSERT INTO item (id, name) VALUES (?, ?)";
    for (const [id, name] of [[1, "a"], [2, "b"], [3, "c"]] as const) db.prepare(insert).bind([id, name]).run();
    const select = "SELECT id, name FROM item WHERE id >= ? ORDER BY id";
    const first = db.prepare(select).bind([2]);
    assert.equal(first.reader, true);
    assert.deepEqual(first.columns().map((column) => column.name), ["id", "name"]);
    assert.deepEqual(first.raw().all(), [[2, "b"], [3, "c"]]);
    const again = db.prepare(select).bind([3]);
    assert.deepEqual(again.raw().all(), [[3, "c"]]);
    assert.equal(again.columns(), first.columns(), "the columns are read from SQLite once per statement");
    assert.deepEqual(prepared.filter((sql) => sql === insert).length, 1);
    assert.deepEqual(prepared.filter((sql) => sql === select).length, 1);
  });

  test("a statement run without arguments, as the adapter runs BEGIN, works again and again", () => {
    const { db } = database();
    for (let i = 0; i < 3; i++) {
      db.prepare("BEGIN").run();
      db.prepare("INSERT INTO item (name) VALUES (?)").bind([`n${i}`]).run();
      db.prepare("COMMIT").bind([]).run();
    }
    assert.deepEqual(db.prepare("SELECT count(*) FROM item").bind([]).raw().all(), [[3]]);
  });

  test("it holds at most its bound, dropping the least recently used", () => {
    const { db, prepared } = database(2);
    const query = (n: number) => `SELECT ${n}`;
    const run = (n: number) => db.prepare(query(n)).bind([]).raw().all();
    run(1);
    run(2);
    run(1); // 1 is now the most recently used
    run(3); // evicts 2
    run(1);
    run(2); // prepared again
    assert.deepEqual(prepared.filter((sql) => sql.startsWith("SELECT ")), [query(1), query(2), query(3), query(2)]);
  });
});
