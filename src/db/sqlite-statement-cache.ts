// A bounded cache of SQLite prepared statements, by SQL text.
//
// @prisma/adapter-better-sqlite3 (7.10, as 6.19 did) calls
// `client.prepare(sql)` on every query: SQLite parses and plans the same few
// statements again on every request, about 0.08 ms each, several per request.
// better-sqlite3 statements are made to be reused, and Prisma sends the same
// SQL text with different parameters, so the adapter's client is handed a
// `prepare` that returns a cached statement behind the small part of the
// Statement interface the adapter calls. No library does this for the
// adapter; remove it once the adapter caches statements itself.
import type BetterSqlite3 from "better-sqlite3";

/** Distinct statements kept; Prisma's queries for this schema number a few dozen. */
export const MAX_CACHED_STATEMENTS = 256;

type Statement = BetterSqlite3.Statement<unknown[]>;

/**
 * What the adapter does with a prepared statement: `bind(args)` once, then
 * `run()`, or `columns()` and `raw().all()` for a reader; `run()` directly for
 * BEGIN. A statement's own `bind()` may be called only once in its life, so
 * the arguments are kept here and passed to each call instead.
 *
 * The adapter asks for a reader's columns (names and declared types) on
 * every call, which a profile of GraphQL load put at 5% of the CPU: they are
 * read once per statement. They change only if a migration alters a table the
 * statement reads while the service runs, which the service does not support
 * (it migrates before it serves).
 */
function reusable(statement: Statement) {
  let columns: BetterSqlite3.ColumnDefinition[] | undefined;
  const withArgs = (args: unknown[]) => ({
    reader: statement.reader,
    run: () => statement.run(...args),
    columns: () => (columns ??= statement.columns()),
    raw: () => ({ all: () => statement.raw(true).all(...args) }),
  });
  return { ...withArgs([]), bind: (args: unknown[]) => withArgs(args) };
}

/** Makes `database.prepare` answer from a least-recently-used cache of at most `max` statements. */
export function cachePreparedStatements(database: BetterSqlite3.Database, max = MAX_CACHED_STATEMENTS): void {
  const prepare = database.prepare.bind(database) as (sql: string) => Statement;
  const cache = new Map<string, ReturnType<typeof reusable>>();
  database.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    // Deleted and set again: a Map iterates in insertion order, so the first key is the least recently used.
    if (statement) cache.delete(sql);
    else statement = reusable(prepare(sql));
    cache.set(sql, statement);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return statement;
  }) as unknown as BetterSqlite3.Database["prepare"];
}
