// Configuration of the Prisma CLI (generate, migrate). Its schema engine is
// the WebAssembly build, run over the service's own driver adapter by
// scripts/prisma-schema-engine.mjs, so nothing native is downloaded;
// scripts/prisma.mjs runs the CLI.
import { defineConfig } from "prisma/config";
import { parseConfig } from "./src/env.ts";

const { database } = parseConfig();

export default defineConfig({
  schema: `prisma/${database.engine}/schema.prisma`,
  migrations: { path: `prisma/${database.engine}/migrations` },
  datasource: { url: database.url },
});
