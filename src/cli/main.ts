// `npm run cli -- <command>`: import <file.json> | token create <username>.
import { ConfigError, parseConfig } from "../env.ts";
import { createDatabase } from "../db.ts";
import { applyMigrations } from "../migrate.ts";
import { importFixture } from "../fixtures/import-fixture.ts";
import { FixtureError, readFixtureFile } from "../fixtures/parse-fixture.ts";
import { createToken, UnknownUserError } from "./create-token.ts";

const USAGE = `Usage:
  npm run cli -- import <file.json>        replace all data with the fixture, in one transaction
  npm run cli -- token create <username>   make an API token and print its key, once`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const isImport = command === "import" && rest.length === 1;
  const isTokenCreate = command === "token" && rest[0] === "create" && rest.length === 2;
  if (!isImport && !isTokenCreate) {
    console.error(USAGE);
    return 2;
  }
  const config = parseConfig();
  // Read and check the file before touching the database at all.
  const fixture = isImport ? await readFixtureFile(rest[0]!) : null;
  await applyMigrations(config.database);
  const db = createDatabase(config.database);
  try {
    if (fixture) {
      const counts = await importFixture(db, fixture);
      console.log(
        `Imported ${counts.users} users, ${counts.groups} groups, ${counts.permissions} permissions, ${counts.tokens} tokens.`,
      );
    } else {
      const key = await createToken(db, rest[1]!);
      console.error(`Token created for ${rest[1]}. Its key is shown this once; only its hash is stored:`);
      console.log(key);
    }
    return 0;
  } finally {
    await db.$disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    const known = error instanceof FixtureError || error instanceof ConfigError || error instanceof UnknownUserError;
    console.error(known ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
