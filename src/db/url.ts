// The one place that tells from DATABASE_URL which engine serves: `file:`
// is the embedded SQLite file, `postgres://` or `postgresql://` is PostgreSQL.
// It also says how a target may be shown in a log line (never with a secret).
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";

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
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new Error(`expected a URL such as postgresql://user:password@host:5432/database, got "${describeDatabaseUrl(url)}"`);
    }
    return { engine: "postgres", url, connectionString: url };
  }
  const scheme = url.split(":")[0] || url;
  throw new Error(`expected file:, postgres:// or postgresql://, got "${scheme}:…"`);
}

/**
 * A SQLite file named by the operator must go in a folder that exists: a
 * typo such as `file:/data/x.db` (meant `./data`) would otherwise create
 * folders at the filesystem root. Only the default's `./data` is made.
 */
export function checkSqliteFolder(target: DatabaseTarget): void {
  if (target.engine !== "sqlite" || target.filename === ":memory:") return;
  const folder = dirname(target.filename);
  if (!existsSync(folder)) {
    throw new Error(
      `the folder ${folder} does not exist: create it first, or give a path relative to the working directory such as file:./data/users-gateway.db`,
    );
  }
}

// Connection parameters whose values are secrets (libpq's names, which node-postgres reads too).
const SECRET_PARAMETERS = /^(password|sslpassword)$/i;

/** DATABASE_URL fit for a log line: the password in the userinfo and in any query parameter is masked. */
export function describeDatabaseUrl(url: string): string {
  if (url.startsWith("file:")) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not even a URL: show the scheme alone, since anything after it may be a secret.
    return `${url.split(":")[0]}:…`;
  }
  if (parsed.password) parsed.password = "***";
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETERS.test(name)) parsed.searchParams.set(name, "***");
  }
  // URLSearchParams writes "*" as "%2A"; keep the mask readable.
  return parsed.toString().replace(/%2A%2A%2A/g, "***");
}

/** The target fit for a log line: a SQLite file's path, or the masked URL. */
export function describeDatabase(target: DatabaseTarget): string {
  return target.engine === "sqlite" ? target.filename : describeDatabaseUrl(target.url);
}
