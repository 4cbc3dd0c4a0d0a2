// Names for PostgreSQL's prepared statements, so that the server parses and
// plans each statement once per connection instead of on every call.
//
// @prisma/adapter-pg sends every query unnamed: PostgreSQL parses, analyses
// and plans it each time. Given a name, node-postgres prepares the statement
// once on each connection and then only binds and executes it, as Prisma's
// former Rust engine did (its `statement_cache_size`, 100 by default). Under
// the benchmark's load (`npm run bench -- --engine postgres`, three rounds
// each, medians) REST retrieves went from 606 to 1,092 req/s, a GraphQL
// `user` from 518 to 819, ten aliased users from 308 to 403: the server's
// parsing and planning had been most of each request's CPU (0.84 of a core
// for 606 REST req/s, 0.40 for 1,092).
//
// What is named stays prepared for the connection's life: neither
// node-postgres nor the adapter ever deallocates a statement. So only the
// first `max` distinct SQL texts get a name; any later one runs unnamed, as
// before. Lists of ids are padded to a power of two (src/db/id-list.ts), so
// that lists of any length up to 4,096 make at most 13 texts of a statement.
//
// A migration that changes what a prepared statement returns (a column added
// to a `SELECT *`, a column's type changed) makes PostgreSQL refuse it with
// "cached plan must not change result type" until it is prepared again. The
// text then gets a new name (`forget`), which each connection prepares afresh
// on its next use: a read outside a transaction is sent again at once
// (src/db/adapter.ts), a transaction fails once on each connection that held
// the old statement.
//
// DATABASE_PREPARED_STATEMENTS sets `max`; 0 names nothing (PgBouncer before
// 1.21, or with max_prepared_statements = 0, in transaction mode).
/** Distinct statements named, as Prisma's Rust engine cached per connection by default. */
export const DEFAULT_PREPARED_STATEMENTS = 100;

/** SQLSTATE feature_not_supported, which PostgreSQL also gives a prepared statement whose result type changed. */
const FEATURE_NOT_SUPPORTED = "0A000";

export function isStalePreparedStatement(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === FEATURE_NOT_SUPPORTED && typeof message === "string" && message.includes("cached plan must not change result type");
}

export class StatementNames {
  /** SQL text → the name it is prepared under now. */
  readonly #names = new Map<string, string>();
  #issued = 0;

  constructor(private readonly max: number) {}

  /** The name to prepare `sql` under, or undefined to send it unnamed. */
  nameFor(sql: string): string | undefined {
    const name = this.#names.get(sql);
    if (name !== undefined || this.#names.size >= this.max) return name;
    return this.#assign(sql);
  }

  /**
   * PostgreSQL refused the statement prepared for `sql` under `name`: the
   * text gets a new name, unless it already has one (several connections
   * may each report the same old name).
   */
  forget(sql: string, name: string): void {
    if (this.#names.get(sql) === name) this.#assign(sql);
  }

  #assign(sql: string): string {
    // Never reused within the pool, so a name always means one text on every connection.
    const name = `gateway_${++this.#issued}`;
    this.#names.set(sql, name);
    return name;
  }
}
