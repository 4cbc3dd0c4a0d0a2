// The example's build: bundles src/main.ts (urql and the generated documents
// included) into one ES module with esbuild, and copies the page beside it.
// `npm run build` writes dist/; the browser test builds into a folder of its
// own by passing it: `node --import tsx build.ts <folder>`.
import { copyFile, mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export async function buildWebClient(outdir: string = here("dist")): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [here("src/main.ts")],
    outfile: resolve(outdir, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: true,
    // urql's development warnings read process.env.NODE_ENV, which a browser lacks.
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  await Promise.all(["index.html", "style.css"].map((file) => copyFile(here(file), resolve(outdir, file))));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  await buildWebClient(outdir);
  console.log(`built ${outdir ?? here("dist")}`);
}
