// `npm run cli -- <command>`: see USAGE. Everything it prints goes through
// terminal.ts, and a failure through describeFailure(): one line per problem.
import { parseConfig } from "../env.ts";
import { createDatabase } from "../db.ts";
import { applyMigrations } from "../migrate.ts";
import { loadDemoData } from "../fixtures/demo-data.ts";
import { importFixture, type ImportCounts, type RecordCounts } from "../fixtures/import-fixture.ts";
import { readFixtureFile } from "../fixtures/parse-fixture.ts";
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from "../heap-growth.ts";
import { createToken } from "./create-token.ts";
import { describeFailure } from "./describe-failure.ts";
import { printMessage, printResult } from "./terminal.ts";

const USAGE = [
  "Usage:",
  "  npm run cli -- import <file.json>        replace all data with the fixture, in one transaction",
  "  npm run cli -- demo-data                 replace all data with the demo data, whose admin key is public",
  "  npm run cli -- token create <username>   make an API token and print its key, once",
];

type Command = { name: "import"; path: string } | { name: "demo-data" } | { name: "token create"; username: string };

function parseCommand([command, ...rest]: string[]): Command | null {
  if (command === "import" && rest.length === 1) return { name: "import", path: rest[0]! };
  if (command === "demo-data" && rest.length === 0) return { name: "demo-data" };
  if (command === "token" && rest[0] === "create" && rest.length === 2) return { name: "token create", username: rest[1]! };
  return null;
}

const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
const listCounts = (counts: RecordCounts) =>
  [counted(counts.users, "user"), counted(counts.groups, "group"), counted(counts.permissions, "permission"), counted(counts.tokens, "token")].join(", ");
/** `Deleted 4 users, …; imported 11 users, ….` */
const importSummary = ({ deleted, ...imported }: ImportCounts) => `Deleted ${listCounts(deleted)}; imported ${listCounts(imported)}.`;

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    printResult(...USAGE);
    return 0;
  }
  const command = parseCommand(args);
  if (!command) {
    printMessage(...USAGE);
    return 2;
  }
  const config = parseConfig();
  // Read and check the file before touching the database at all.
  const fixture = command.name === "import" ? await readFixtureFile(command.path) : null;
  const db = createDatabase(config.database);
  try {
    await applyMigrations(config.database, db);
    if (fixture) {
      printResult(importSummary(await importFixture(db, fixture)));
    } else if (command.name === "demo-data") {
      printResult(importSummary(await loadDemoData(db)));
      printMessage("Warning: the demo admin's key is public (it is in the README): never use it, nor the demo data, on a real database.");
    } else if (command.name === "token create") {
      const key = await createToken(db, command.username);
      printMessage(`Token created for ${command.username}. Its key is shown this once; only its hash is stored:`);
      printResult(key);
    }
    return 0;
  } finally {
    await db.$disconnect();
  }
}

function fail(error: unknown): never {
  printMessage(...describeFailure(error));
  process.exit(1);
}

// Whatever goes wrong, even outside main's promise (a pool's idle client
// failing, say), is told the same way, never as a stack trace.
limitHeapGrowth(HEAP_GROWING_PERCENT.cli);
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
main(process.argv.slice(2)).then((code) => process.exit(code), fail);
