// The one place where a driver adapter is chosen for a database target. Both
// the service (src/db.ts) and the Prisma CLI (prisma.config.ts, for
// migrations) take their adapter from here.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { DatabaseTarget } from "./database-url.ts";

export function createAdapterFactory(target: DatabaseTarget) {
  if (target.engine === "sqlite") {
    if (target.filename !== ":memory:") mkdirSync(dirname(target.filename), { recursive: true });
    return new PrismaBetterSQLite3({ url: target.filename });
  }
  throw new Error("PostgreSQL is not supported yet");
}
