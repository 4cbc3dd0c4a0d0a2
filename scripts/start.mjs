#!/usr/bin/env node
// `npm start`: the service as plain JavaScript. Loading TypeScript at run
// time (tsx) cost each process about 50 MB and an esbuild helper process, so
// the starting process first bundles src/ into dist/index.mjs (esbuild, well
// under a second; the npm packages stay outside the bundle), then runs it.
// Building at every start means an edited source always runs. node:cluster
// workers (WEB_CONCURRENCY) run this file too, and load their primary's bundle.
//
// The bundle sits one folder below the project's root, as src/ does, so the
// paths src/project-files.ts finds from its own location hold in both.
import cluster from "node:cluster";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { build, stop } from "esbuild";

const bundle = new URL("../dist/index.mjs", import.meta.url);

if (cluster.isPrimary) {
  const { outputFiles } = await build({
    entryPoints: [new URL("../src/index.ts", import.meta.url).pathname],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: bundle.pathname,
    write: false,
    logLevel: "warning",
  });
  // esbuild's helper process would otherwise live as long as the service.
  await stop();
  // Written aside, then renamed over (atomic): instances starting together
  // from one checkout must never load a half-written bundle.
  mkdirSync(new URL(".", bundle), { recursive: true });
  const written = `${bundle.pathname}.${process.pid}.tmp`;
  writeFileSync(written, outputFiles[0].contents);
  renameSync(written, bundle);
}

await import(bundle.href);
