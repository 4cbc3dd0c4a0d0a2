// A throwaway PostgreSQL cluster on a free loopback port, for tests and CI:
// initdb into a temporary folder, pg_ctl to start and stop it, rm to forget it.
// As root the server runs as the `postgres` user, which initdb requires.
//
// Only whoever holds its `url` gets in: any local user can reach a loopback
// port, and the superuser may do anything (read files, run programs as the
// server's user). So the superuser has a random password, asked for
// (scram-sha-256) over TCP and over the Unix socket alike, and the socket
// stays in the cluster's own folder, which only the server's user may enter.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export type PostgresCluster = {
  /** Superuser URL of the cluster's `postgres` database, password included. */
  url: string;
  port: number;
  stop(): void;
  start(): void;
  /** Stops the server (if running) and removes its files. */
  destroy(): void;
};

/** Every cluster's folder is named so; stopLeftoverClusters() looks for these. */
const FOLDER_PREFIX = "users-gateway-pg-";

/** The newest server binaries Debian's packages installed, or PG_BINDIR. */
export function findPostgresBinaries(): string | null {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((version) => existsSync(join(base, version, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Runs one of the server's programs, as the `postgres` user when we are root. */
function runServerProgram(bin: string, program: string, args: string[]) {
  const command = asRoot ? "runuser" : join(bin, program);
  const fullArgs = asRoot ? ["-u", "postgres", "--", join(bin, program), ...args] : args;
  execFileSync(command, fullArgs, { stdio: ["ignore", "pipe", "pipe"] });
}

/** Gives a file to the `postgres` user when we are root, so that the server may use it. */
function giveToServerUser(path: string) {
  if (!asRoot) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  chownSync(path, uid, gid);
}

export async function createPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinaries();
  if (!bin) {
    throw new Error("PostgreSQL server binaries not found (apt-get install -y postgresql), or set PG_BINDIR");
  }
  const run = (program: string, args: string[]) => runServerProgram(bin, program, args);

  // mkdtemp makes it 0700: only its owner (the server's user) enters it, and the socket lives there.
  const directory = mkdtempSync(join(tmpdir(), FOLDER_PREFIX));
  giveToServerUser(directory);
  const data = join(directory, "data");
  const port = await freePort();

  // base64url: nothing in it needs escaping in a URL.
  const password = randomBytes(24).toString("base64url");
  const passwordFile = join(directory, "superuser-password");
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  giveToServerUser(passwordFile);
  try {
    run("initdb", [
      ...["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${passwordFile}`],
      ...["-E", "UTF8", "--locale=C", "--no-sync"],
    ]);
  } finally {
    rmSync(passwordFile, { force: true });
  }

  // No fsync: the data is thrown away. Loopback only; the socket lives in the folder.
  const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let running = false;
  const cluster: PostgresCluster = {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    start() {
      run("pg_ctl", ["-D", data, "-o", options, "-l", join(directory, "server.log"), "-w", "start"]);
      running = true;
    },
    stop() {
      run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      running = false;
    },
    destroy() {
      try {
        if (running) cluster.stop();
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
  cluster.start();
  return cluster;
}

/**
 * Stops, at once, the servers of clusters made in `directory` that are still
 * running: those of tests that were interrupted before they could destroy
 * them. Call it before removing the folder from under them.
 */
export function stopLeftoverClusters(directory: string) {
  const bin = findPostgresBinaries();
  if (!bin || !existsSync(directory)) return;
  for (const name of readdirSync(directory)) {
    const data = join(directory, name, "data");
    if (!name.startsWith(FOLDER_PREFIX) || !existsSync(join(data, "postmaster.pid"))) continue;
    try {
      runServerProgram(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // Already stopped: the file outlived its server.
    }
  }
}

/** Runs one statement on a server (CREATE DATABASE, DROP DATABASE …) over a connection of its own. */
export async function runOnServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
