// Applies pending migrations with `prisma migrate deploy`, run by the CLI
// wrapper that spares the engine download (scripts/prisma.mjs), whose schema
// engine connects through the service's own driver adapter.
//
// Several processes may start at once over one database (instances, workers,
// the CLI beside a running service). On PostgreSQL `migrate deploy` takes an
// advisory lock itself. On SQLite its lock is `locking_mode=EXCLUSIVE`, which
// the open connections of a WAL file never let it take, so our schema engine
// bridge takes this lock file instead (scripts/prisma-schema-engine.mjs). At
// a start, the check and the migration run under that lock, held across
// processes, and the Prisma CLI is not started at all when the database
// already has every migration.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import lockfile from "proper-lockfile";
import type { DatabaseTarget } from "./url.ts";
import { prepareSqliteFile } from "./adapter.ts";
import type { Database } from "./client.ts";
import { PROJECT_ROOT, projectPath } from "../project-files.ts";

const prismaCli = projectPath("scripts", "prisma.mjs");

export class MigrationError extends Error {}

/**
 * Set for the Prisma CLI that applyMigrations() starts while it holds the
 * migration lock, so that the schema engine bridge does not wait for that
 * lock again (scripts/prisma-schema-engine.mjs); the CLI run by hand takes it.
 */
export const MIGRATION_LOCK_HELD_ENV = "USERS_GATEWAY_MIGRATION_LOCK_HELD";

/**
 * Resolves with the names of the migrations it applied (none when the
 * database was up to date). Given the service's client, it first reads which
 * migrations the database holds, and skips the Prisma CLI when none is missing.
 */
export async function applyMigrations(target: DatabaseTarget, db?: Database): Promise<string[]> {
  // Made here, with its owner-only mode, before the Prisma CLI's process opens it.
  prepareSqliteFile(target);
  return holdingMigrationLock(target, async () => {
    if (db && (await missingMigrations(db, target)).length === 0) return [];
    return appliedMigrations(await runMigrateDeploy(target));
  });
}

/** Long migrations of large files must not make the next instance give up: it waits up to 10 minutes. */
const LOCK_RETRIES = { retries: 1_200, factor: 1, minTimeout: 500, maxTimeout: 500 };

async function holdingMigrationLock<T>(target: DatabaseTarget, work: () => Promise<T>): Promise<T> {
  const release = await lockMigrations(target);
  try {
    return await work();
  } finally {
    await release();
  }
}

/**
 * Waits for, then takes, the lock that migrations of a SQLite file run under;
 * resolves with its release. A folder beside the database (proper-lockfile
 * makes it with mkdir, atomic everywhere); a holder that dies leaves it stale
 * after 10 s, and it is taken over. Other engines need none.
 */
export async function lockMigrations(target: DatabaseTarget): Promise<() => Promise<void>> {
  if (target.engine !== "sqlite" || target.filename === ":memory:") return async () => {};
  return lockfile.lock(target.filename, { lockfilePath: `${target.filename}.migrate-lock`, realpath: false, retries: LOCK_RETRIES });
}

/**
 * The project's migrations that the database does not hold as applied. When
 * the history cannot be read (no table yet, another engine's layout) they all
 * count as missing, and `migrate deploy` decides and reports.
 */
export async function missingMigrations(db: Database, target: DatabaseTarget): Promise<string[]> {
  const folder = projectPath("prisma", target.engine, "migrations");
  const project = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  let applied: Set<string>;
  try {
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    return project;
  }
  return project.filter((name) => !applied.has(name));
}

/**
 * `migrate deploy` lists what it applied under "The following migration(s)
 * have been applied:" as a tree: each migration a folder line ending in "/".
 */
function appliedMigrations(output: string): string[] {
  const list = output.split(/have been applied:/)[1] ?? "";
  return [...list.matchAll(/^\s*└─\s*(\S+)\/\s*$/gm)].map((match) => match[1]!);
}

function runMigrateDeploy(target: DatabaseTarget): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [prismaCli, "migrate", "deploy"],
      { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: target.url, [MIGRATION_LOCK_HELD_ENV]: "1" }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new MigrationError(`prisma migrate deploy failed:\n${stdout}${stderr}`.trim()));
        else resolve(stdout);
      },
    );
  });
}
