// The prepared-statement cache that the SQLite adapter's connection gets
// (src/db/sqlite-statement-cache.ts), on a real better-sqlite3 database, used the
// way @prisma/adapter-better-sqlite3 uses its connection.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
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

describe("the reads of one turn of the event loop share one read transaction", () => {
  const folder = mkdtempSync(join(tmpdir(), "turn-snapshots-"));
  after(() => rmSync(folder, { recursive: true, force: true }));
  let files = 0;

  /** A WAL file database: `db` with the cache, as the service's connection; `other` another client's. */
  function databases() {
    const file = join(folder, `${++files}.db`);
    const db = new BetterSqlite3(file);
    db.pragma("journal_mode = WAL");
    const cache = cachePreparedStatements(db);
    db.exec("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)");
    db.prepare("INSERT INTO item (id, name) VALUES (?, ?)").bind([1, "first"]).run();
    const other = new BetterSqlite3(file);
    after(() => {
      other.close();
      if (db.open) db.close();
    });
    // As the adapter reads, and as readRows() reads (sqliteRecordReader).
    const names = () => (db.prepare("SELECT name FROM item ORDER BY id").bind([]).raw().all() as string[][]).map(([name]) => name);
    const namesRead = () => cache.read(() => cache.statement("SELECT name FROM item ORDER BY id").statement.raw(true).all()).map((row) => (row as string[])[0]);
    return { db, cache, other, names, namesRead };
  }
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  test("a read sees the database as at the turn's first read; the next turn sees another client's commit", async () => {
    const { db, cache, other, names, namesRead } = databases();
    await nextTurn();
    assert.deepEqual(names(), ["first"]);
    const version = cache.databaseVersion();
    other.prepare("INSERT INTO item (id, name) VALUES (2, 'second')").run();
    assert.deepEqual(names(), ["first"], "the same turn: the same snapshot");
    assert.deepEqual(namesRead(), ["first"]);
    assert.equal(cache.databaseVersion(), version, "the version is the snapshot's too");
    assert.equal(db.inTransaction, true);
    await nextTurn();
    assert.equal(db.inTransaction, false, "the snapshot ended with its turn");
    assert.deepEqual(namesRead(), ["first", "second"]);
    assert.notEqual(cache.databaseVersion(), version);
  });

  test("a write on the connection ends the snapshot first: it succeeds after another client's commit, and the next read sees both", async () => {
    const { db, cache, other, names } = databases();
    await nextTurn();
    assert.deepEqual(names(), ["first"]);
    other.prepare("INSERT INTO item (id, name) VALUES (2, 'second')").run();
    const version = cache.databaseVersion();
    // From the snapshot, SQLite would refuse this write (SQLITE_BUSY_SNAPSHOT).
    db.prepare("INSERT INTO item (id, name) VALUES (?, ?)").bind([3, "third"]).run();
    assert.deepEqual(names(), ["first", "second", "third"]);
    assert.notEqual(cache.databaseVersion(), version, "the connection's own write changes the version");
  });

  test("the adapter's own transaction, begun and ended in a turn that read, is its own", async () => {
    const { db, other, names } = databases();
    await nextTurn();
    assert.deepEqual(names(), ["first"]);
    other.prepare("INSERT INTO item (id, name) VALUES (2, 'second')").run();
    db.prepare("BEGIN").run();
    assert.deepEqual(names(), ["first", "second"], "the transaction reads the database as it is now");
    db.prepare("UPDATE item SET name = ? WHERE id = ?").bind(["changed", 1]).run();
    db.prepare("ROLLBACK").bind([]).run();
    assert.deepEqual(names(), ["first", "second"]);
    db.exec("UPDATE item SET name = 'changed' WHERE id = 2");
    assert.deepEqual(names(), ["first", "changed"]);
    await nextTurn();
    assert.equal(db.inTransaction, false);
  });

  test("closing the connection in a turn that read loses nothing and leaves nothing to fail later", async () => {
    const { db, other, names } = databases();
    await nextTurn();
    db.prepare("INSERT INTO item (id, name) VALUES (?, ?)").bind([2, "second"]).run();
    assert.deepEqual(names(), ["first", "second"]);
    db.close();
    await nextTurn();
    assert.deepEqual(other.prepare("SELECT name FROM item ORDER BY id").pluck().all(), ["first", "second"]);
  });
});
