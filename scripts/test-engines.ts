// `npm test`'s runner: the whole suite once per engine, each run reported by
// scripts/test-reporter.mjs (a line per test file, every failure in full).
// For PostgreSQL it starts a throwaway cluster on a free loopback port and
// always stops it, pass or fail. `npm run test:sqlite` / `npm run test:postgres`
// run one engine.
//
// Everything the tests put in the temporary folder (databases, the CLI's files,
// screenshots, browser profiles, clusters) goes into one fresh folder, the
// runs' TMPDIR, which is removed at the end: pass, fail or interrupted.
//
// The last line is `tests: N passed, N failed, N skipped` (CI reads it). The
// exit code is 1 when a test failed or a run did not finish.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresCluster, stopLeftoverClusters, type PostgresCluster } from "./postgres-cluster.ts";

const ENGINES = ["sqlite", "postgres"] as const;
type TestEngine = (typeof ENGINES)[number];
type Counts = { passed: number; failed: number; skipped: number };

// Arguments are engines and, to run only some of them, test files:
// `npm run test:postgres -- test/logs.test.ts`.
const requestedFiles = process.argv.slice(2).filter((argument) => argument.endsWith(".test.ts"));
const requested = process.argv.slice(2).filter((argument) => !argument.endsWith(".test.ts"));
const engines = (requested.length > 0 ? requested : [...ENGINES]) as TestEngine[];
for (const engine of engines) {
  if (!ENGINES.includes(engine)) {
    console.error(`unknown engine "${engine}": expected ${ENGINES.join(" or ")}`);
    process.exit(2);
  }
}

const testFiles =
  requestedFiles.length > 0
    ? requestedFiles
    : readdirSync("test")
        .filter((name) => name.endsWith(".test.ts"))
        .sort()
        .map((name) => `test/${name}`);
const reporter = fileURLToPath(new URL("test-reporter.mjs", import.meta.url));

const temporaryFolder = mkdtempSync(join(tmpdir(), "users-gateway-tests-"));
// As root the PostgreSQL servers run as the `postgres` user, which must pass
// through this folder to reach theirs (private themselves); others may pass
// but not list.
chmodSync(temporaryFolder, 0o711);
// For this process's cluster, and inherited by the runs and all they start.
process.env.TMPDIR = temporaryFolder;

let cluster: PostgresCluster | undefined;
let runner: ChildProcess | undefined;
let interruptedBy: NodeJS.Signals | undefined;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    const pid = runner?.pid;
    if (interruptedBy) {
      // Asked twice: no more waiting.
      if (pid) endProcessGroup(pid, "SIGKILL");
      return;
    }
    interruptedBy = signal;
    console.error(`\n${signal}: stopping the tests, then removing what they made`);
    // The run then ends, and the code below cleans up as after any run.
    if (pid) {
      endProcessGroup(pid, "SIGTERM");
      setTimeout(() => endProcessGroup(pid, "SIGKILL"), 10_000).unref();
    }
  });
}

/** Signals every process of a run: the runner, its test files, and whatever they started. */
function endProcessGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // None left.
  }
}

/** Runs node's test runner over every test file, echoing its report; resolves with its counts. */
function runSuite(engine: TestEngine, env: Record<string, string>): Promise<Counts> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", `--test-reporter=${reporter}`, "--test-reporter-destination=stdout", ...testFiles],
      {
        env: { ...process.env, ...env, TEST_DATABASE: engine },
        stdio: ["ignore", "pipe", "inherit"],
        // A process group of its own, so that all it started can be ended at once.
        detached: true,
      },
    );
    runner = child;
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on("close", (code, signal) => {
      runner = undefined;
      // A service or browser that a test did not stop must not outlive the run.
      endProcessGroup(child.pid!, "SIGKILL");
      // The reporter's last line; test output never starts a line of the report.
      const totals = [...output.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped\b/gm)].at(-1);
      const counts = totals
        ? { passed: Number(totals[1]), failed: Number(totals[2]), skipped: Number(totals[3]) }
        : { passed: 0, failed: 0, skipped: 0 };
      if (!totals || (code !== 0 && counts.failed === 0)) {
        // It died, or failed in a way that no test shows: that is a failure too.
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        console.log(`✖ the test runner ${how}${totals ? "" : " before its report was done"}`);
        counts.failed = Math.max(counts.failed, 1);
      }
      resolve(counts);
    });
  });
}

const results: { engine: TestEngine; counts: Counts }[] = [];
try {
  for (const engine of engines) {
    if (interruptedBy) break;
    const env: Record<string, string> = {};
    if (engine === "postgres") {
      try {
        cluster = await createPostgresCluster();
      } catch (error) {
        console.log(`\n✖ no PostgreSQL cluster for the postgres run: ${(error as Error).message}`);
        results.push({ engine, counts: { passed: 0, failed: 1, skipped: 0 } });
        continue;
      }
      env.TEST_POSTGRES_URL = cluster.url;
      if (interruptedBy) break;
    }
    console.log(`\n${requestedFiles.length > 0 ? `${requestedFiles.length} test file(s)` : "the whole suite"} on ${engine}, Node ${process.version}:\n`);
    results.push({ engine, counts: await runSuite(engine, env) });
    cluster?.destroy();
    cluster = undefined;
  }
} finally {
  try {
    cluster?.destroy();
  } finally {
    stopLeftoverClusters(temporaryFolder);
    // Retries: a process that was just ended may still be letting go of its files.
    rmSync(temporaryFolder, { recursive: true, force: true, maxRetries: 5 });
  }
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
console.log("");
for (const { engine, counts } of results) {
  console.log(`${`${engine}:`.padEnd(9)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
// An interrupted run is not a passing one, even where none of its tests failed.
if (interruptedBy && total.failed === 0) total.failed = 1;
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(interruptedBy ? 128 + (interruptedBy === "SIGINT" ? 2 : 15) : total.failed > 0 ? 1 : 0);
