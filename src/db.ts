// The Prisma client the service uses, over the driver adapter that
// src/db-adapter.ts picks for DATABASE_URL. The little that differs between
// engines below the ORM is here too; nothing else knows which engine runs.
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient as PostgresPrismaClient } from "../generated/postgres/prisma/client.ts";
import { PrismaClient as SqlitePrismaClient } from "../generated/sqlite/prisma/client.ts";
import type { DatabaseTarget, Engine } from "./database-url.ts";
import { createAdapterFactory, DEFAULT_POOL_SETTINGS, type PoolSettings } from "./db-adapter.ts";

/**
 * Both engines' clients are generated from one model source (prisma/models.prisma),
 * so they have one shape; the SQLite one names it.
 */
export type Database = SqlitePrismaClient;
/** What an interactive transaction hands its callback. */
export type Transaction = Parameters<Parameters<Database["$transaction"]>[0]>[0];

export type DatabaseOptions = {
  pool?: PoolSettings;
  /** Wraps the adapter factory, to observe the SQL it runs (see db-statement-recorder.ts). */
  wrapAdapter?: (factory: SqlDriverAdapterFactory) => SqlDriverAdapterFactory;
};

const engines = new WeakMap<Database, Engine>();

export function createDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Database {
  const factory = createAdapterFactory(target, options.pool ?? DEFAULT_POOL_SETTINGS);
  const adapter = options.wrapAdapter ? options.wrapAdapter(factory) : factory;
  // Each generated client embeds its own engine's query compiler.
  const db =
    target.engine === "sqlite"
      ? new SqlitePrismaClient({ adapter })
      : (new PostgresPrismaClient({ adapter }) as unknown as Database);
  engines.set(db, target.engine);
  return db;
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
