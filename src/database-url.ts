// The one place that tells from DATABASE_URL which engine serves: `file:`
// is the embedded SQLite file, `postgres://` or `postgresql://` is PostgreSQL.
import { resolve } from "node:path";

export const ENGINES = ["sqlite", "postgres"] as const;
export type Engine = (typeof ENGINES)[number];

export type DatabaseTarget =
  | { engine: "sqlite"; url: string; filename: string }
  | { engine: "postgres"; url: string; connectionString: string };

export const DEFAULT_DATABASE_URL = "file:./data/users-gateway.db";

/** Throws an Error whose message says what was expected and what arrived. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new Error(`expected file:<path>, got "${url}"`);
    // Relative to the working directory, not to a schema file as Prisma's own
    // sqlite URLs are: the adapter, not Prisma, opens the file.
    const filename = path === ":memory:" ? path : resolve(path);
    return { engine: "sqlite", url: `file:${filename}`, filename };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: "postgres", url, connectionString: url };
  const scheme = url.split(":")[0] || url;
  throw new Error(`expected file:, postgres:// or postgresql://, got "${scheme}:…"`);
}
