// The Prisma client the service uses, over the driver adapter that
// src/db/adapter.ts picks for DATABASE_URL. The little that differs between
// engines below the ORM is here too; nothing else knows which engine runs.
import type { ArgType, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient as PostgresPrismaClient } from "../../generated/postgres/prisma/client.ts";
import { PrismaClient as SqlitePrismaClient } from "../../generated/sqlite/prisma/client.ts";
import type { DatabaseTarget, Engine } from "./url.ts";
import { createAdapterFactory, DEFAULT_POOL_SETTINGS, pgPoolOf, type GatewayAdapter, type PoolSettings } from "./adapter.ts";
import { toRecords } from "./row-values.ts";
import { asPrismaSql, type SqlQuery } from "./sql-template.ts";

/**
 * Both engines' clients are generated from one model source (prisma/models.prisma),
 * so they have one shape; the SQLite one names it.
 */
export type Database = SqlitePrismaClient;
/** What an interactive transaction hands its callback. */
export type Transaction = Parameters<Parameters<Database["$transaction"]>[0]>[0];

export type DatabaseOptions = {
  pool?: PoolSettings;
  /** Wraps the adapter factory, to observe the SQL it runs (see statement-recorder.ts). */
  wrapAdapter?: (factory: SqlDriverAdapterFactory) => SqlDriverAdapterFactory;
  /** Keep databaseVersion() on PostgreSQL too, on a connection of its own (createAdapterFactory in adapter.ts). */
  watchChanges?: boolean;
};

const engines = new WeakMap<Database, Engine>();

export type PoolFigures = { total: number; idle: number; waiting: number; max: number };
const poolFigureReaders = new WeakMap<Database, () => PoolFigures>();

/**
 * The PostgreSQL pool's connections now: open, idle, and requests waiting for
 * one; null on SQLite, which has one connection and no pool (a statement there
 * runs synchronously, so nothing ever waits for a connection).
 */
export function poolFigures(db: Database): PoolFigures | null {
  return poolFigureReaders.get(db)?.() ?? null;
}

/** The driver adapter a client has connected, for readRows(); null until the client connects, and again once it disconnects. */
type ConnectedAdapter = { current: GatewayAdapter | null; direct: number; throughTheOrm: number };
const connectedAdapters = new WeakMap<Database, ConnectedAdapter>();

/** Keeps whatever adapter `factory` connects in `holder`, until it is disposed. */
function keepConnectedAdapter(factory: SqlDriverAdapterFactory, holder: ConnectedAdapter): SqlDriverAdapterFactory {
  const connect = factory.connect.bind(factory);
  return new Proxy(factory, {
    get(target, property, receiver) {
      if (property !== "connect") return Reflect.get(target, property, receiver);
      return async () => {
        const adapter = await connect();
        const dispose = adapter.dispose.bind(adapter);
        adapter.dispose = async () => {
          if (holder.current === adapter) holder.current = null;
          return dispose();
        };
        holder.current = adapter;
        return adapter;
      };
    },
  });
}

export function createDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Database {
  const factory = createAdapterFactory(target, options.pool ?? DEFAULT_POOL_SETTINGS, { watchChanges: options.watchChanges });
  const holder: ConnectedAdapter = { current: null, direct: 0, throughTheOrm: 0 };
  // Outermost, so that a test's statement recorder sees the reads made directly too.
  const adapter = keepConnectedAdapter(options.wrapAdapter ? options.wrapAdapter(factory) : factory, holder);
  // Each generated client embeds its own engine's query compiler.
  const db =
    target.engine === "sqlite"
      ? new SqlitePrismaClient({ adapter })
      : (new PostgresPrismaClient({ adapter }) as unknown as Database);
  engines.set(db, target.engine);
  const pool = pgPoolOf(factory);
  if (pool) {
    const max = options.pool?.poolSize ?? DEFAULT_POOL_SETTINGS.poolSize;
    poolFigureReaders.set(db, () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }));
  }
  connectedAdapters.set(db, holder);
  return db;
}

/** How Prisma's client describes a parameter to the adapter, for the values the service binds. */
function argType(value: unknown): ArgType {
  const scalarType =
    value instanceof Date ? "datetime" : typeof value === "boolean" ? "boolean" : typeof value === "bigint" ? "bigint"
    : typeof value === "number" ? (Number.isInteger(value) ? "int" : "float") : typeof value === "string" ? "string" : "unknown";
  return { scalarType, arity: "scalar" };
}

/**
 * `db.$queryRaw(query)`, sent straight to the driver adapter the client has
 * connected. Through the client, each statement cost about 45 µs of its
 * query interpreter: 43% of the busy time of a REST retrieve (CPU profile,
 * bench scenario a), for statements that need none of it. On SQLite the read
 * goes further down, to better-sqlite3 itself (src/db/sqlite-records.ts says
 * why). Values are bound and typed exactly as the adapter does for the
 * client, and rows come back as the client's `$queryRaw` would give them
 * (src/db/row-values.ts); test/loaders.test.ts checks every loader against
 * the ORM, on both engines.
 *
 * `query` is a Prisma.Sql, or a statement of src/db/sql-template.ts.
 *
 * Reads only. Before the client has connected, after it has disconnected,
 * or when the direct read fails for any reason, the read goes through the
 * client as before, so that errors are the ORM's own (a failing database
 * fails there too).
 */
export async function readRows<Row>(db: Database, query: SqlQuery): Promise<Row[]> {
  const holder = connectedAdapters.get(db)!;
  const adapter = holder.current;
  if (adapter) {
    try {
      const rows = adapter.readRecords
        ? adapter.readRecords({ sql: query.sql, args: query.values })
        : // PostgreSQL's adapter, with $1-style placeholders.
          toRecords(await adapter.queryRaw({ sql: query.text, args: query.values, argTypes: query.values.map(argType) }));
      holder.direct++;
      return rows as Row[];
    } catch {
      // Through the client below.
    }
  }
  holder.throughTheOrm++;
  return db.$queryRaw<Row[]>(asPrismaSql(query));
}

/**
 * A value that changes whenever anything was written to the database since
 * it was last taken, by this client or any other (SQLite:
 * src/db/sqlite-statement-cache.ts; PostgreSQL: src/db/change-notifications.ts):
 * what is read while it stays the same would be read the same again. Null
 * where it cannot be known: on PostgreSQL unless the client was created with
 * `watchChanges`, or while its listening connection cannot vouch for it; and
 * while the client is not connected.
 */
export function databaseVersion(db: Database): string | null {
  return connectedAdapters.get(db)!.current?.databaseVersion?.() ?? null;
}

/**
 * Whether each statement is a round trip to a server (PostgreSQL) rather than
 * a call into this process (SQLite): then a join that spares a statement is
 * worth what it costs.
 */
export function statementsAreRoundTrips(db: Database): boolean {
  return engines.get(db) === "postgres";
}

/** How many reads readRows() sent straight to the adapter and how many through the client, for the tests. */
export function readPaths(db: Database): { direct: number; throughTheOrm: number } {
  const { direct, throughTheOrm } = connectedAdapters.get(db)!;
  return { direct, throughTheOrm };
}

const TABLES_WITH_GENERATED_IDS = ["Permission", "Group", "User", "ApiToken"];

/**
 * Call inside a transaction that replaces whole tables, before it writes:
 * such transactions then run one after another. PostgreSQL needs a lock for
 * it; SQLite admits one writer at a time anyway.
 */
export async function serializeBulkWrites(db: Database, tx: Transaction): Promise<void> {
  if (engines.get(db) === "postgres") await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(72707370)");
}

/**
 * Call first in a transaction that only reads and must see one moment's
 * data (an export). PostgreSQL's default, READ COMMITTED, shows each
 * statement the commits made since the last; a SQLite transaction reads one
 * snapshot from its first read on (in WAL mode, writers go on beside it).
 */
export async function readSnapshot(db: Database, tx: Transaction): Promise<void> {
  if (engines.get(db) === "postgres") await tx.$executeRawUnsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

/**
 * After rows were written with explicit ids, the ids generated next must
 * follow them. SQLite's AUTOINCREMENT keeps up by itself; PostgreSQL's
 * sequences must be moved past the largest id (or back to 1 on an empty table).
 */
export async function advanceIdSequences(db: Database, tx: Transaction): Promise<void> {
  if (engines.get(db) !== "postgres") return;
  for (const table of TABLES_WITH_GENERATED_IDS) {
    await tx.$executeRawUnsafe(
      `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), COALESCE(MAX("id"), 1), MAX("id") IS NOT NULL) FROM "${table}"`,
    );
  }
}
