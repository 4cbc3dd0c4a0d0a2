// `--engine postgres`: a throwaway cluster, as the tests use (scripts/postgres-cluster.ts),
// with the data set imported once into a template database; every scenario's
// service then gets its own copy (CREATE DATABASE … TEMPLATE, a file copy on
// the server), as every SQLite scenario gets its own copy of the file, so
// that one scenario's last_seen_at writes do not spare the next its own.
import { readdirSync, readFileSync } from "node:fs";
import { createPostgresCluster, runOnServer, type PostgresCluster } from "../postgres-cluster.ts";
import { importDataset, migrate, type BuildTimes } from "./dataset-cache.ts";
import type { FixtureDocument } from "./dataset.ts";

const TEMPLATE = "bench_template";

export type BenchPostgres = {
  cluster: PostgresCluster;
  /** A fresh database holding the data set, for one scenario. */
  databaseFor(name: string): Promise<string>;
  /** The server's main process (its backends are its children), to count its CPU apart from the rest of the machine. */
  serverPid: number | null;
  destroy(): void;
};

function urlOfDatabase(clusterUrl: string, database: string): string {
  const url = new URL(clusterUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The postmaster listening on `port`: pg_ctl daemonizes it, so it is found by its command line. */
function findPostmaster(port: number): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const portAt = args.indexOf("-p");
      if (args[0]!.endsWith("/postgres") && portAt > 0 && args[portAt + 1] === String(port)) return Number(entry);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return null;
}


export async function startBenchPostgres(
  fixture: FixtureDocument,
  log: (line: string) => void,
): Promise<{ postgres: BenchPostgres; times: Omit<BuildTimes, "generateSeconds"> }> {
  const cluster = await createPostgresCluster();
  const postgres: BenchPostgres = {
    cluster,
    async databaseFor(name) {
      const database = `bench_${name.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`;
      await runOnServer(cluster.url, `DROP DATABASE IF EXISTS ${database}`);
      await runOnServer(cluster.url, `CREATE DATABASE ${database} TEMPLATE ${TEMPLATE}`);
      return urlOfDatabase(cluster.url, database);
    },
    serverPid: findPostmaster(cluster.port),
    destroy: () => cluster.destroy(),
  };
  try {
    await runOnServer(cluster.url, `CREATE DATABASE ${TEMPLATE}`);
    const url = urlOfDatabase(cluster.url, TEMPLATE);
    log(`importing the data set into PostgreSQL (port ${cluster.port}) …`);
    const migrateSeconds = await migrate(url);
    const { parseSeconds, importSeconds } = await importDataset(url, fixture);
    return { postgres, times: { parseSeconds, migrateSeconds, importSeconds } };
  } catch (error) {
    postgres.destroy();
    throw error;
  }
}
