// Configuration of the Prisma CLI (generate, migrate). Migrations run through
// the WASM schema engine and the same driver adapter the service uses, so no
// native engine is needed; scripts/prisma.mjs runs the CLI.
import { defineConfig } from "prisma/config";
import { createAdapterFactory } from "./src/db-adapter.ts";
import { parseConfig } from "./src/env.ts";

const { database, pool } = parseConfig();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: `prisma/${database.engine}/schema.prisma`,
  async adapter() {
    return createAdapterFactory(database, pool);
  },
});
