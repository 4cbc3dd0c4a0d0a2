// The committed migrations of the engine under test must build exactly the
// schema that prisma/models.prisma describes: a model changed without a new
// migration (or a migration edited by hand) fails here.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { parseDatabaseUrl, type DatabaseTarget } from "../src/db/url.ts";
import { createDatabase } from "../src/db/client.ts";
import { applyMigrations, lockMigrations } from "../src/db/migrate.ts";
import { createEmptyDatabaseUrl, TEST_ENGINE } from "./helpers.ts";

const root = new URL("..", import.meta.url);
const ALL_MIGRATIONS = [
  "20261128000000_init",
  "20261129000000_token_expiry_and_last_use",
  // Triggers, which SQLite does not need: it knows its version by itself (src/db/change-notifications.ts).
  ...(TEST_ENGINE === "postgres" ? ["20261201000000_change_notifications"] : []),
];

/** The SQL that creates the models' schema from nothing, as Prisma writes it. */
function schemaScript(): string {
  return execFileSync(
    process.execPath,
    ["scripts/prisma.mjs", "migrate", "diff", "--from-empty", "--to-schema", `prisma/${TEST_ENGINE}/schema.prisma`, "--script"],
    { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
}

/** Tables, columns, indexes and constraints, in a form two databases can be compared by. */
async function describeSchema(target: DatabaseTarget): Promise<unknown> {
  if (target.engine === "sqlite") {
    const db = new BetterSqlite3(target.filename, { readonly: true });
    try {
      return db
        .prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT IN ('_prisma_migrations', 'sqlite_sequence') AND name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name`)
        .all()
        .map((row) => ({ ...(row as object), sql: String((row as { sql: string }).sql).replace(/\s+/g, " ") }));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    const query = async (sql: string) => (await client.query(sql)).rows;
    return {
      columns: await query(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`),
      indexes: await query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename, indexname`),
      constraints: await query(`SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1, 2`),
      enums: await query(`SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder`),
    };
  } finally {
    await client.end();
  }
}

async function runScript(target: DatabaseTarget, script: string) {
  if (target.engine === "sqlite") {
    const db = new BetterSqlite3(target.filename);
    db.exec(script);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  await client.query(script);
  await client.end();
}

test(`the ${TEST_ENGINE} migrations build exactly the schema of prisma/models.prisma`, async () => {
  const migrated = parseDatabaseUrl(await createEmptyDatabaseUrl());
  await applyMigrations(migrated);
  const fromModels = parseDatabaseUrl(await createEmptyDatabaseUrl());
  await runScript(fromModels, schemaScript());
  const expected = await describeSchema(fromModels);
  assert.ok(JSON.stringify(expected).includes("invitedById"), "the comparison sees the schema");
  assert.deepEqual(await describeSchema(migrated), expected);
});

test("with the service's client, only missing migrations start the Prisma CLI", async () => {
  const target = parseDatabaseUrl(await createEmptyDatabaseUrl());
  const db = createDatabase(target);
  try {
    assert.deepEqual(await applyMigrations(target, db), ALL_MIGRATIONS);
    assert.deepEqual(await applyMigrations(target, db), []);
    assert.ok(JSON.stringify(await describeSchema(target)).includes("invitedById"));
  } finally {
    await db.$disconnect();
  }
});

// Two Prisma CLIs migrating one SQLite file at once can wait on each other's
// locks until the busy timeout and fail: a second instance waits its turn.
test("a migration of a SQLite file waits while another holds the migration lock", { skip: TEST_ENGINE !== "sqlite" && "SQLite only: PostgreSQL's migrations take an advisory lock" }, async () => {
  const target = parseDatabaseUrl(await createEmptyDatabaseUrl());
  const release = await lockMigrations(target);
  let finished = false;
  const migration = applyMigrations(target).finally(() => (finished = true));
  // Longer than the Prisma CLI takes to migrate a new file here (about 2 s).
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  assert.equal(finished, false, "the migration ran while the lock was held");
  await release();
  assert.deepEqual(await migration, ALL_MIGRATIONS);
});

test("prisma migrate deploy run by hand waits for the migration lock, then migrates a WAL file another connection holds open", { skip: TEST_ENGINE !== "sqlite" && "SQLite only: PostgreSQL's migrations take an advisory lock" }, async () => {
  const target = parseDatabaseUrl(await createEmptyDatabaseUrl());
  // The service's client: its first connection puts the file in WAL mode, and
  // an open WAL connection never lets the schema engine lock the file exclusively.
  const open = createDatabase(target);
  assert.deepEqual(await open.$queryRawUnsafe("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
  const release = await lockMigrations(target);
  let finished = false;
  const deploy = new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: target.url },
      stdio: "ignore",
    });
    child.on("exit", (code) => {
      finished = true;
      resolve(code);
    });
  });
  // Longer than the Prisma CLI takes to migrate a new file here (about 2 s).
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  assert.equal(finished, false, "the migration ran while the lock was held");
  await release();
  assert.equal(await deploy, 0);
  // The open connection reads what the migration wrote, not a stale snapshot.
  assert.deepEqual(await open.$queryRawUnsafe(`SELECT COUNT(*) AS users FROM "User"`), [{ users: 0n }]);
  await open.$disconnect();
});

/** Runs the Prisma CLI (scripts/prisma.mjs) on a database; resolves with its exit code and output. */
function prismaCli(target: DatabaseTarget, ...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["scripts/prisma.mjs", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: target.url },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// Prisma 7's CLI runs these through scripts/prisma-schema-engine.mjs, the
// WebAssembly schema engine over the service's adapter: no native engine.
test("prisma migrate status and diff work offline, and read what migrate deploy wrote", async () => {
  const target = parseDatabaseUrl(await createEmptyDatabaseUrl());
  await applyMigrations(target);
  const status = prismaCli(target, "migrate", "status");
  assert.equal(status.status, 0, status.output);
  assert.match(status.output, new RegExp(`${ALL_MIGRATIONS.length} migrations found[\\s\\S]*Database schema is up to date!`));

  const diff = () => prismaCli(target, "migrate", "diff", "--from-config-datasource", "--to-schema", `prisma/${TEST_ENGINE}/schema.prisma`, "--exit-code");
  const same = diff();
  assert.equal(same.status, 0, same.output);
  assert.match(same.output, /No difference detected/);

  await runScript(target, `DROP INDEX "ApiToken_userId_idx"`);
  const drifted = diff();
  assert.equal(drifted.status, 2, drifted.output);
  assert.match(drifted.output, /Changed the `ApiToken` table\s+\[\+\] Added index on columns \(userId\)/);
});
