// A bounded cache of SQLite prepared statements, by SQL text.
//
// @prisma/adapter-better-sqlite3 (7.10, as 6.19 did) calls
// `client.prepare(sql)` on every query: SQLite parses and plans the same few
// statements again on every request, about 0.08 ms each, several per request.
// better-sqlite3 statements are made to be reused, and Prisma sends the same
// SQL text with different parameters, so the adapter's client is handed a
// `prepare` that returns a cached statement behind the small part of the
// Statement interface the adapter calls. No library does this for the
// adapter; remove it once the adapter caches statements itself. The service's
// own reads (src/db/sqlite-records.ts) take their statements from the same cache.
//
// Every statement the connection runs passes here, so this is also where the
// connection's own writes are counted, for databaseVersion() below, and where
// the reads of one turn of the event loop are made one transaction
// (turnSnapshots below).
import type BetterSqlite3 from "better-sqlite3";

/** Distinct statements kept; Prisma's queries for this schema number a few dozen. */
export const MAX_CACHED_STATEMENTS = 256;

type Statement = BetterSqlite3.Statement<unknown[]>;

export type CachedStatement = {
  readonly statement: Statement;
  /**
   * The statement's columns (names and declared types), read from SQLite
   * once: the adapter asks for them on every call, which a profile of GraphQL
   * load put at 5% of the CPU. They change only if a migration alters a table
   * the statement reads while the service runs, which the service does not
   * support (it migrates before it serves).
   */
  columns(): BetterSqlite3.ColumnDefinition[];
};

export type StatementCache = {
  /** The cached statement for `sql`, prepared now if it is not held. */
  statement(sql: string): CachedStatement;
  /** Runs a read-only read of a cached statement in the turn's read transaction (turnSnapshots below). */
  read<T>(read: () => T): T;
  /**
   * Changes whenever the database may have changed since it was last read:
   * a commit by any other connection, in this process or another (SQLite's
   * `PRAGMA data_version`, which leaves out the connection's own commits),
   * or any statement on this connection that is not a read-only read (a
   * write, or BEGIN, COMMIT and ROLLBACK: a rolled-back write changes what a
   * read answers too).
   */
  databaseVersion(): string;
};

function cachedStatement(statement: Statement): CachedStatement {
  let columns: BetterSqlite3.ColumnDefinition[] | undefined;
  return { statement, columns: () => (columns ??= statement.columns()) };
}

/** How the connection runs a statement: a read-only read, or anything else (a write, BEGIN, COMMIT, ROLLBACK). */
type Runner = { read<T>(run: () => T): T; other<T>(run: () => T): T };

/**
 * What the adapter does with a prepared statement: `bind(args)` once, then
 * `run()`, or `columns()` and `raw().all()` for a reader; `run()` directly for
 * BEGIN. A statement's own `bind()` may be called only once in its life, so
 * the arguments are kept here and passed to each call instead.
 */
function adapterView({ statement, columns }: CachedStatement, runner: Runner) {
  const readOnlyRead = statement.reader && statement.readonly;
  const withArgs = (args: unknown[]) => ({
    reader: statement.reader,
    run: () => runner.other(() => statement.run(...args)),
    columns,
    raw: () => ({
      all: () => (readOnlyRead ? runner.read : runner.other)(() => statement.raw(true).all(...args)),
    }),
  });
  return { ...withArgs([]), bind: (args: unknown[]) => withArgs(args) };
}

type TurnSnapshots = {
  /** `read()`, inside the turn's read transaction, which it begins if none is open. */
  read<T>(read: () => T): T;
  /** Ends the turn's read transaction, if one is open: before anything that is not a read-only read. */
  end(): void;
};

/**
 * The reads of one turn of the event loop share one read transaction, which
 * ends when the turn does (setImmediate), or before the connection runs
 * anything else.
 *
 * Why: in WAL mode a read outside a transaction is a transaction of its own,
 * for which SQLite takes and gives back a lock in the `-shm` file: two
 * fcntl() calls (strace of one request). On these machines a system call is
 * dear: 200,000 reads of one user by id took 7.9 µs each on their own and
 * 1.0 µs each inside one transaction (scratch, better-sqlite3 on the bench's
 * data set). A request makes five or six reads (its requester's version, then
 * its statements), and under load a turn serves several requests.
 *
 * What a read can see is unchanged but for one bound: it sees the database as
 * it was at the first read of its turn, not at the read itself. A turn lasts
 * no longer than the synchronous work and microtasks it runs: a few
 * milliseconds under load. Nothing of the connection's own is ever missed: a
 * write, BEGIN, COMMIT or ROLLBACK on it end the snapshot first, so a write
 * never starts from an old snapshot (which SQLite would refuse,
 * SQLITE_BUSY_SNAPSHOT) and is seen by the next read. Inside a transaction of
 * the adapter's, reads are that transaction's, as before. Closing the
 * connection ends a snapshot as SQLite ends any read transaction.
 */
function turnSnapshots(database: BetterSqlite3.Database, prepare: (sql: string) => Statement): TurnSnapshots {
  const begin = prepare("BEGIN");
  const commit = prepare("COMMIT");
  let held = false;
  const end = () => {
    if (!held) return;
    held = false;
    // Not when closed, or when SQLite itself rolled the transaction back after an error.
    if (database.open && database.inTransaction) commit.run();
  };
  return {
    read(read) {
      if (!held && !database.inTransaction) {
        begin.run();
        held = true;
        setImmediate(end);
      }
      return read();
    },
    end,
  };
}

/**
 * Makes `database.prepare`, as the adapter calls it, answer from a
 * least-recently-used cache of at most `max` statements; returns that cache.
 */
export function cachePreparedStatements(database: BetterSqlite3.Database, max = MAX_CACHED_STATEMENTS): StatementCache {
  const prepare = database.prepare.bind(database) as (sql: string) => Statement;
  const dataVersion = prepare("PRAGMA data_version").pluck();
  const snapshots = turnSnapshots(database, prepare);
  let ownWrites = 0;
  const runner: Runner = {
    read: snapshots.read,
    // Counted as a write even when it fails: it may have changed something first.
    other(run) {
      snapshots.end();
      try {
        return run();
      } finally {
        ownWrites++;
      }
    },
  };
  const exec = database.exec.bind(database);
  database.exec = (sql: string) => runner.other(() => exec(sql));
  const cache = new Map<string, { cached: CachedStatement; view: ReturnType<typeof adapterView> }>();
  const entry = (sql: string) => {
    let found = cache.get(sql);
    // Deleted and set again: a Map iterates in insertion order, so the first key is the least recently used.
    if (found) cache.delete(sql);
    else {
      const cached = cachedStatement(prepare(sql));
      found = { cached, view: adapterView(cached, runner) };
    }
    cache.set(sql, found);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return found;
  };
  database.prepare = ((sql: string) => entry(sql).view) as unknown as BetterSqlite3.Database["prepare"];
  return {
    statement: (sql) => entry(sql).cached,
    read: runner.read,
    databaseVersion: () => runner.read(() => `${dataVersion.get()}:${ownWrites}`),
  };
}
