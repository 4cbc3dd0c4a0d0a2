// The Prisma client the service uses, over the driver adapter that
// src/db-adapter.ts picks for DATABASE_URL. Nothing else knows the engine.
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient as SqlitePrismaClient } from "../generated/sqlite/prisma/client.ts";
import type { DatabaseTarget } from "./database-url.ts";
import { createAdapterFactory } from "./db-adapter.ts";

/** Both engines' generated clients share one model source, hence one type. */
export type Database = SqlitePrismaClient;

export type DatabaseOptions = {
  /** Wraps the adapter factory, to observe the SQL it runs (see db-statement-recorder.ts). */
  wrapAdapter?: (factory: SqlDriverAdapterFactory) => SqlDriverAdapterFactory;
};

export function createDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Database {
  const factory = createAdapterFactory(target);
  const adapter = options.wrapAdapter ? options.wrapAdapter(factory) : factory;
  return new SqlitePrismaClient({ adapter });
}
