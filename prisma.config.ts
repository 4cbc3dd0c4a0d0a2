// Configuration of the Prisma CLI (generate, migrate). Migrations run through
// the WASM schema engine and the same driver adapter the service uses, so no
// native engine is needed; scripts/prisma.mjs runs the CLI.
import { defineConfig } from "prisma/config";
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from "./src/database-url.ts";
import { createAdapterFactory } from "./src/db-adapter.ts";

const target = parseDatabaseUrl(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: `prisma/${target.engine}/schema.prisma`,
  async adapter() {
    return createAdapterFactory(target);
  },
});
