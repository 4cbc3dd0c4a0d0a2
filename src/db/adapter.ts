// The one place where a driver adapter is chosen for a database target. Both
// the service (src/db/client.ts) and the Prisma CLI's schema engine
// (scripts/prisma-schema-engine.mjs, for migrations) take their adapter from here.
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { SqlDriverAdapter, SqlQuery } from "@prisma/driver-adapter-utils";
import type { DatabaseTarget } from "./url.ts";
import { ChangeListener } from "./change-notifications.ts";
import { DEFAULT_PREPARED_STATEMENTS, isStalePreparedStatement, StatementNames } from "./pg-statement-names.ts";
import { cachePreparedStatements } from "./sqlite-statement-cache.ts";
import { sqliteRecordReader, type RecordReader } from "./sqlite-records.ts";


export type PoolSettings = {
  /** Connections one instance may open (PostgreSQL). */
  poolSize: number;
  /** Longest a statement may run, server-side, before PostgreSQL cancels it. */
  statementTimeoutMs: number;
  /** Longest to wait for a connection, so an unreachable server fails fast instead of hanging. */
  connectTimeoutMs: number;
  /** Distinct statements each connection keeps prepared (src/db/pg-statement-names.ts); 0 prepares none. */
  preparedStatements: number;
};

export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  poolSize: 10,
  statementTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  preparedStatements: DEFAULT_PREPARED_STATEMENTS,
};

/**
 * A pooled connection that died while idle (the server restarted, a proxy
 * dropped it) is only found out when a query is sent on it. Such a query did
 * not run, or ran in a session the server was terminating (and was rolled
 * back), so it is sent once more on a fresh connection.
 */
function diedWithItsConnection(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    code === "57P01" || // admin_shutdown: the server is stopping or restarting
    code === "57P02" || // crash_shutdown
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    /Connection terminated|not queryable/.test(message ?? "")
  );
}

const PG_TYPE_CHAR = 18;
const PG_TYPE_TEXT = 25;

type QueryConfig = { name?: string; text: string };
const isNamed = (config: unknown): config is QueryConfig & { name: string } =>
  typeof config === "object" && config !== null && typeof (config as QueryConfig).name === "string";

class GatewayPool extends pg.Pool {
  constructor(config: pg.PoolConfig, names: StatementNames) {
    super(config);
    // Inside a transaction a statement prepared before a migration cannot be
    // sent again (the transaction is aborted): its text is only given a new
    // name for the next time. The adapter calls a transaction's client with
    // one argument and awaits the promise.
    this.on("connect", (client) => {
      const clientQuery = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
      client.query = ((...args: unknown[]) => {
        const [config] = args;
        if (args.length !== 1 || !isNamed(config)) return clientQuery(...args);
        return clientQuery(config).catch((error: unknown) => {
          if (isStalePreparedStatement(error)) names.forget(config.text, config.name);
          throw error;
        });
      }) as pg.PoolClient["query"];
    });
    // Assigned rather than declared as a method: pg.Pool's query() has many
    // overloads, and the adapter only calls its promise form.
    const query = super.query.bind(this) as (...args: unknown[]) => Promise<pg.QueryResult>;
    this.query = (async (...args: unknown[]) => {
      let result: pg.QueryResult;
      try {
        result = await query(...args);
      } catch (error) {
        const [config, ...rest] = args;
        if (isStalePreparedStatement(error) && isNamed(config)) {
          // Outside a transaction: sent again at once, under the text's new name.
          names.forget(config.text, config.name);
          result = await query({ ...config, name: names.nameFor(config.text) }, ...rest);
        } else if (diedWithItsConnection(error)) {
          result = await query(...args);
        } else {
          throw error;
        }
      }
      // adapter-pg 7.10 cannot deserialize PostgreSQL's one-byte "char" type
      // (OID 18), which the schema engine reads from the catalogs when it
      // describes a database (`migrate diff --from-config-datasource` failed
      // with "Column type 'char' could not be deserialized"). Its value is a
      // one-character string, so it is reported as text. The service's own
      // tables have no such column.
      for (const field of result?.fields ?? []) {
        if (field.dataTypeID === PG_TYPE_CHAR) field.dataTypeID = PG_TYPE_TEXT;
      }
      return result;
    }) as pg.Pool["query"];
  }
}

/**
 * Unicode's default lowercase mapping, as searches compare text
 * (src/users/user-list.ts): SQLite's own lower() folds ASCII only, so each
 * SQLite connection gets this as the SQL function `gateway_lower`.
 */
export const lowerCase = (text: string) => text.toLowerCase();

/**
 * How long a SQLite connection waits for another's write lock before it
 * fails with SQLITE_BUSY. Writes here are short (a last_seen_at, a token),
 * but an import or a migration in another process holds the lock longer,
 * and on a loaded machine better-sqlite3's default of 5 s was seen to run out
 * when two instances migrated one new file at once.
 */
const SQLITE_BUSY_TIMEOUT_MS = 30_000;

/**
 * Creates a SQLite file that does not exist yet, readable by its owner only:
 * it holds emails, phone numbers and key hashes. SQLite gives the WAL and
 * shared-memory files it creates beside it the database file's mode. The
 * folder is made only where src/db/url.ts allows one (the default ./data).
 */
export function prepareSqliteFile(target: DatabaseTarget): void {
  if (target.engine !== "sqlite" || target.filename === ":memory:") return;
  mkdirSync(dirname(target.filename), { recursive: true, mode: 0o700 });
  // "a": create when missing, never truncate; the mode applies only to a new file.
  closeSync(openSync(target.filename, "a", 0o600));
}

/**
 * Every SQLite connection, the service's, the CLI's and the schema engine's
 * (scripts/prisma-schema-engine.mjs), puts the file in WAL mode (it stays so)
 * before anything else reads it:
 * - Reads stop paying for the rollback journal's locking. There, every
 *   statement is a transaction of its own that takes and drops a lock on the
 *   file and checks whether a journal is left to replay: eight system calls,
 *   about half of a one-row read (12 → 5.5 µs), and under GraphQL load about a
 *   tenth of the requests/s (bench scenario c, 1,497 → 1,652, two pairs).
 * - Workers and other processes read while one writes; a write waits only for
 *   another write (SQLITE_BUSY_TIMEOUT_MS).
 * - Migrations run beside open connections: the schema engine's exclusive
 *   lock, which an open WAL connection would never let it take, is left to
 *   the migration lock file (scripts/prisma-schema-engine.mjs, src/db/migrate.ts).
 * Durability is unchanged (synchronous stays FULL: a commit is on disk when
 * it returns). The file's content is the database file with its `-wal` file:
 * a copy must take both, or use SQLite's backup (README, "A SQLite file is in WAL mode").
 */
function useWriteAheadLog(client: BetterSqlite3.Database): void {
  client.pragma("journal_mode = WAL");
}

/**
 * A connected adapter, and what the service adds below it: on SQLite its own
 * way to read rows (src/db/sqlite-records.ts, used by readRows in
 * src/db/client.ts); and the database's version, which changes whenever
 * what a read answers may have changed (SQLite: sqlite-statement-cache.ts;
 * PostgreSQL, when asked for: change-notifications.ts), null while unknown.
 */
export type GatewayAdapter = SqlDriverAdapter & { readRecords?: RecordReader; databaseVersion?: () => string | null };

/** The pg pool under each PostgreSQL adapter factory, for its figures (src/metrics/metrics.ts). */
const pools = new WeakMap<object, pg.Pool>();
export const pgPoolOf = (factory: object): pg.Pool | null => pools.get(factory) ?? null;

/**
 * `watchChanges`: on PostgreSQL, a connected adapter keeps the database's
 * version by listening for change notifications, on a connection of its own
 * (the service asks for it, for its requester cache; a CLI command has nothing
 * to keep). SQLite always knows its version, at no cost.
 */
export function createAdapterFactory(target: DatabaseTarget, settings: PoolSettings = DEFAULT_POOL_SETTINGS, { watchChanges = false } = {}) {
  if (target.engine === "sqlite") {
    prepareSqliteFile(target);
    const factory = new PrismaBetterSqlite3({ url: target.filename, timeout: SQLITE_BUSY_TIMEOUT_MS });
    // The adapter keeps its better-sqlite3 connection as `client`; see sqlite-statement-cache.ts.
    const connect = factory.connect.bind(factory);
    factory.connect = async (): Promise<GatewayAdapter> => {
      const adapter = await connect();
      const client = (adapter as unknown as { client: BetterSqlite3.Database }).client;
      useWriteAheadLog(client);
      const statements = cachePreparedStatements(client);
      // Unicode-aware lowercasing for searches; see src/users/user-list.ts.
      client.function("gateway_lower", { deterministic: true }, (text: unknown) => (typeof text === "string" ? lowerCase(text) : text));
      return Object.assign(adapter, { readRecords: sqliteRecordReader(statements), databaseVersion: statements.databaseVersion });
    };
    return factory;
  }
  const names = new StatementNames(settings.preparedStatements);
  const pool = new GatewayPool({
    connectionString: target.connectionString,
    max: settings.poolSize,
    statement_timeout: settings.statementTimeoutMs,
    // Client-side too: a server that stops answering mid-query must not hang a request.
    query_timeout: settings.statementTimeoutMs + 1_000,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    keepAlive: true,
    // Idle connections must not keep a short-lived process (the Prisma CLI
    // running migrations, the CLI) alive, nor a migration's advisory lock held.
    allowExitOnIdle: true,
  }, names);
  const factory = new PrismaPg(pool, {
    disposeExternalPool: true,
    // Undefined (unnamed) is what pg expects for a statement not to keep, though the adapter's type says string.
    statementNameGenerator: (({ sql }: SqlQuery) => names.nameFor(sql)) as (query: SqlQuery) => string,
  });
  pools.set(factory, pool);
  if (watchChanges) {
    const connect = factory.connect.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      const changes = new ChangeListener(target.connectionString);
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await changes.stop();
        return dispose();
      };
      return Object.assign(adapter, { databaseVersion: (): string | null => changes.version() });
    };
  }
  return factory;
}
