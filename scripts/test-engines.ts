// `npm test`'s runner: the whole suite once per engine. For PostgreSQL it
// starts a throwaway cluster on a free loopback port and always stops it,
// pass or fail. `npm run test:sqlite` / `npm run test:postgres` run one engine.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createPostgresCluster, type PostgresCluster } from "./postgres-cluster.ts";

const ENGINES = ["sqlite", "postgres"] as const;
type TestEngine = (typeof ENGINES)[number];

const requested = process.argv.slice(2);
const engines = (requested.length > 0 ? requested : [...ENGINES]) as TestEngine[];
for (const engine of engines) {
  if (!ENGINES.includes(engine)) {
    console.error(`unknown engine "${engine}": expected ${ENGINES.join(" or ")}`);
    process.exit(2);
  }
}

const testFiles = readdirSync("test")
  .filter((name) => name.endsWith(".test.ts"))
  .sort()
  .map((name) => `test/${name}`);

let cluster: PostgresCluster | undefined;
const stopCluster = () => {
  cluster?.destroy();
  cluster = undefined;
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopCluster();
    process.exit(1);
  });
}

/** Runs node's test runner, echoing its TAP output, and returns its pass and fail counts. */
function runSuite(engine: TestEngine, env: Record<string, string>): Promise<{ passed: number; failed: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", ...testFiles], {
      env: { ...process.env, ...env, TEST_DATABASE: engine },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on("close", (code) => {
      const count = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, "m").exec(output)?.[1] ?? 0);
      const failed = count("fail") + count("cancelled");
      // A runner that died without a summary failed, whatever it printed.
      resolve({ passed: count("pass"), failed: code === 0 ? failed : Math.max(failed, 1) });
    });
  });
}

let passed = 0;
let failed = 0;
try {
  for (const engine of engines) {
    const env: Record<string, string> = {};
    if (engine === "postgres") {
      cluster = await createPostgresCluster();
      env.TEST_POSTGRES_URL = cluster.url;
    }
    console.log(`\n# ---- the whole suite on ${engine} ----`);
    const result = await runSuite(engine, env);
    console.log(`# ${engine}: ${result.passed} passed, ${result.failed} failed`);
    passed += result.passed;
    failed += result.failed;
    stopCluster();
  }
} finally {
  stopCluster();
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
