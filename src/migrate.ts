// Applies pending migrations with `prisma migrate deploy`, through the same
// driver adapter as the service (prisma.config.ts) and the CLI wrapper that
// spares the engine download (scripts/prisma.mjs).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DatabaseTarget } from "./database-url.ts";
import { prepareSqliteFile } from "./db-adapter.ts";

const prismaCli = fileURLToPath(new URL("../scripts/prisma.mjs", import.meta.url));
const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export class MigrationError extends Error {}

/** Resolves with the names of the migrations it applied (none when the database was up to date). */
export async function applyMigrations(target: DatabaseTarget): Promise<string[]> {
  // Made here, with its owner-only mode, before the Prisma CLI's process opens it.
  prepareSqliteFile(target);
  const output = await runMigrateDeploy(target);
  return appliedMigrations(output);
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
      { cwd: projectRoot, env: { ...process.env, DATABASE_URL: target.url }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new MigrationError(`prisma migrate deploy failed:\n${stdout}${stderr}`.trim()));
        else resolve(stdout);
      },
    );
  });
}
