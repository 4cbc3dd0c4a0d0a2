// Writes the generated data set into a database through the project's own
// path (applyMigrations, parseFixture, importFixture), so the rows are exactly
// what the service expects (hashed keys, split microseconds, the import's
// defaults), and keeps the SQLite file per (users, seed) so that later runs
// skip the build. The import is timed and printed, not bypassed: its speed
// is one of the speed issue's targets.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl } from "../../src/db/url.ts";
import { createDatabase } from "../../src/db/client.ts";
import { importFixture } from "../../src/fixtures/import-fixture.ts";
import { parseFixture } from "../../src/fixtures/parse-fixture.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { generateDataset, type DatasetManifest, type FixtureDocument } from "./dataset.ts";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
export const CACHE_ROOT = join(projectRoot, "node_modules", ".cache", "users-gateway-bench");

export type BuildTimes = { generateSeconds: number; parseSeconds: number; migrateSeconds: number; importSeconds: number };

export type CachedDataset = {
  /** The SQLite file; never served directly (its copies are), so it stays as built. */
  file: string;
  manifest: DatasetManifest;
  /** Null when the file came from the cache. */
  built: BuildTimes | null;
};

/**
 * The cache key includes what decides the file's content besides (users,
 * seed): the generator's own source and the migrations, so an edit to either
 * builds a new file instead of reusing a stale one.
 */
function cacheKey(users: number, seed: number): string {
  const hash = createHash("sha256");
  hash.update(readFileSync(new URL("dataset.ts", import.meta.url)));
  const migrations = join(projectRoot, "prisma", "sqlite", "migrations");
  for (const name of readdirSync(migrations).sort()) hash.update(name);
  return `users-${users}-seed-${seed}-${hash.digest("hex").slice(0, 10)}`;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Parses and imports the fixture into a migrated, empty database at `url`; returns the two durations. */
export async function importDataset(url: string, fixture: FixtureDocument): Promise<Pick<BuildTimes, "parseSeconds" | "importSeconds">> {
  let started = performance.now();
  const parsed = parseFixture(fixture);
  const parseSeconds = seconds(started);
  started = performance.now();
  const db = createDatabase(parseDatabaseUrl(url));
  try {
    await importFixture(db, parsed);
  } catch (error) {
    // A large set can outlast the import's transaction timeout: say how far it got.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`importing ${fixture.users.length} users failed after ${seconds(started).toFixed(0)} s: ${message}`);
  } finally {
    await db.$disconnect();
  }
  return { parseSeconds, importSeconds: seconds(started) };
}

export async function migrate(url: string): Promise<number> {
  const started = performance.now();
  await applyMigrations(parseDatabaseUrl(url));
  return seconds(started);
}

export function generate(users: number, seed: number) {
  const started = performance.now();
  const dataset = generateDataset(users, seed);
  return { ...dataset, generateSeconds: seconds(started) };
}

export async function cachedSqliteDataset(
  users: number,
  seed: number,
  { rebuild, log }: { rebuild: boolean; log: (line: string) => void },
): Promise<CachedDataset> {
  const folder = join(CACHE_ROOT, cacheKey(users, seed));
  const file = join(folder, "users.db");
  const manifestFile = join(folder, "manifest.json");
  if (!rebuild && existsSync(file) && existsSync(manifestFile)) {
    return { file, manifest: JSON.parse(readFileSync(manifestFile, "utf8")) as DatasetManifest, built: null };
  }

  log(`building the data set (${users} users, seed ${seed}) into ${folder} …`);
  mkdirSync(CACHE_ROOT, { recursive: true });
  // Built beside its final place and renamed at the end: an interrupted build leaves no half file under the key.
  const staging = mkdtempSync(join(CACHE_ROOT, "building-"));
  try {
    const { fixture, manifest, generateSeconds } = generate(users, seed);
    const url = `file:${join(staging, "users.db")}`;
    const migrateSeconds = await migrate(url);
    const { parseSeconds, importSeconds } = await importDataset(url, fixture);
    writeFileSync(join(staging, "manifest.json"), JSON.stringify(manifest));
    rmSync(folder, { recursive: true, force: true });
    renameSync(staging, folder);
    return { file, manifest, built: { generateSeconds, parseSeconds, migrateSeconds, importSeconds } };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
