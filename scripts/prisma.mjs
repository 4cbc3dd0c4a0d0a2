#!/usr/bin/env node
// Runs the Prisma CLI on machines that reach no download host.
//
// Every Prisma CLI command first checks that its native schema engine exists
// and downloads it when it does not, which fails here. The query compiler is
// WebAssembly inside the generated client, and the schema engine is replaced
// by scripts/prisma-schema-engine.mjs, which runs Prisma's WebAssembly build of
// it. This is the only place that points the CLI there.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const schemaEngine = fileURLToPath(new URL("./prisma-schema-engine.mjs", import.meta.url));

// Generators such as prisma-pothos-types are found on PATH, as under npm run.
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin");

const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
    PRISMA_SCHEMA_ENGINE_BINARY: schemaEngine,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
