#!/usr/bin/env node
// Runs the Prisma CLI on machines that reach no download host.
//
// Every Prisma CLI command first checks that its native engines exist and
// downloads them when they do not, which fails here. This project never runs
// them: queries compile in WASM (engineType = "client") and migrations run
// through the WASM schema engine with the driver adapter of prisma.config.ts.
// Pointing the two variables below at any existing file skips the check and
// the download; nothing executes that file. This is the only place that does it.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const unrefEngineTimers = fileURLToPath(new URL("./prisma-unref-engine-timers.cjs", import.meta.url));

// Generators such as prisma-pothos-types are found on PATH, as under npm run.
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin");

const result = spawnSync(process.execPath, ["--require", unrefEngineTimers, cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
    PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
