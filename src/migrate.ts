// Applies pending migrations with `prisma migrate deploy`, through the same
// driver adapter as the service (prisma.config.ts) and the CLI wrapper that
// spares the engine download (scripts/prisma.mjs).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DatabaseTarget } from "./database-url.ts";

const prismaCli = fileURLToPath(new URL("../scripts/prisma.mjs", import.meta.url));
const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export class MigrationError extends Error {}

export function applyMigrations(target: DatabaseTarget): Promise<string> {
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
