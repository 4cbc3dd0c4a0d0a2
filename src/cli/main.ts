// `npm run cli -- <command>`: see USAGE. Everything it prints goes through
// terminal.ts, and a failure through describeFailure(): one line per problem.
import { parseArgs } from "node:util";
import { parseConfig } from "../env.ts";
import { createDatabase } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { loadDemoData } from "../fixtures/demo-data.ts";
import { importFixture, type ImportCounts, type RecordCounts } from "../fixtures/import-fixture.ts";
import { readFixtureFile } from "../fixtures/read-fixture-file.ts";
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from "../heap-growth.ts";
import { createToken, formatTokenTable, listTokens, parseLifetime, revokeToken, UsageError } from "./tokens.ts";
import { describeFailure } from "./describe-failure.ts";
import { printMessage, printResult } from "./terminal.ts";

const USAGE = [
  "Usage:",
  "  npm run cli -- import <file.json>        replace all data with the fixture, in one transaction",
  "  npm run cli -- demo-data                 replace all data with the demo data, whose admin key is public",
  "  npm run cli -- token create <username> [--expires-in 90s|30m|12h|30d]",
  "                                           make an API token and print its key, once",
  "  npm run cli -- token list <username> [--json]",
  "                                           a user's tokens: id, created, expires, last used (never a key)",
  "  npm run cli -- token revoke <id>         delete a token: its key is refused from then on",
];

type Command =
  | { name: "import"; path: string }
  | { name: "demo-data" }
  | { name: "token create"; username: string; lifetimeMs: number | null }
  | { name: "token list"; username: string; json: boolean }
  | { name: "token revoke"; id: number };

/** The command the arguments name; null when they name none (the usage is then shown). Throws UsageError for a bad option value. */
function parseCommand(args: string[]): Command | null {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { "expires-in": { type: "string" }, json: { type: "boolean" } }, allowPositionals: true });
  } catch {
    return null; // an option no command takes
  }
  const { values, positionals: [command, ...rest] } = parsed;
  const expiresIn = values["expires-in"];
  const only = (...allowed: string[]) => Object.keys(values).every((option) => allowed.includes(option));
  if (command === "import" && rest.length === 1 && only()) return { name: "import", path: rest[0]! };
  if (command === "demo-data" && rest.length === 0 && only()) return { name: "demo-data" };
  if (command !== "token" || rest.length !== 2) return null;
  const [action, argument] = rest as [string, string];
  if (action === "create" && only("expires-in")) {
    return { name: "token create", username: argument, lifetimeMs: expiresIn === undefined ? null : parseLifetime(expiresIn) };
  }
  if (action === "list" && only("json")) return { name: "token list", username: argument, json: values.json === true };
  const id = /^[1-9]\d{0,9}$/.test(argument) ? Number(argument) : NaN;
  if (action === "revoke" && only() && id <= 2 ** 31 - 1) return { name: "token revoke", id };
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
  let command: Command | null;
  try {
    command = parseCommand(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printMessage(error.message);
    return 2;
  }
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
      const expiresAt = command.lifetimeMs === null ? null : new Date(Date.now() + command.lifetimeMs);
      const key = await createToken(db, command.username, expiresAt);
      const expiry = expiresAt ? `It expires at ${expiresAt.toISOString()}. ` : "";
      printMessage(`Token created for ${command.username}. ${expiry}Its key is shown this once; only its hash is stored:`);
      printResult(key);
    } else if (command.name === "token list") {
      const tokens = await listTokens(db, command.username);
      printResult(...(command.json ? [JSON.stringify(tokens)] : formatTokenTable(tokens, new Date())));
    } else if (command.name === "token revoke") {
      const username = await revokeToken(db, command.id);
      printMessage(`Token ${command.id} of ${username} revoked: its key is refused from now on.`);
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
