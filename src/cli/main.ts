// `npm run cli -- <command>`: the commands are the table below, each with its
// usage, its --help and its options; a new command is one more entry.
// Everything the CLI prints goes through terminal.ts (the progress bar aside,
// progress.ts), and a failure through describeFailure(): one line per problem.
// Exit codes: 0 done, 1 the command failed (a refused file, an unknown user,
// the database), 2 a wrong command line.
import { parseArgs } from "node:util";
import { parseConfig } from "../env.ts";
import { createDatabase, type Database } from "../db/client.ts";
import { applyMigrations, missingMigrations } from "../db/migrate.ts";
import { loadDemoData } from "../fixtures/demo-data.ts";
import { MODEL_ROLES, type ModelChoice, type ModelRole } from "../fixtures/django-dump.ts";
import { exportFixture } from "../fixtures/export-fixture.ts";
import { countImportRows, importFixture, type ImportCounts, type RecordCounts } from "../fixtures/import-fixture.ts";
import { readImportFile } from "../fixtures/read-fixture-file.ts";
import { limitHeapGrowth } from "../heap-growth.ts";
import { createToken, formatTokenTable, listTokens, parseLifetime, revokeToken, UsageError } from "./tokens.ts";
import { describeFailure } from "./describe-failure.ts";
import type { CommandSpec } from "./command.ts";
import { DIRECTORY_COMMANDS } from "./directory-commands.ts";
import { createProgress } from "./progress.ts";
import { printMessage, printResult } from "./terminal.ts";

const counted = (count: number, noun: string, plural = `${noun}s`) => `${count} ${count === 1 ? noun : plural}`;
const listCounts = (counts: RecordCounts) =>
  [counted(counts.users, "user"), counted(counts.groups, "group"), counted(counts.permissions, "permission"), counted(counts.tokens, "token")].join(", ");
/** `Deleted 4 users, …; imported 11 users, ….` */
const importSummary = ({ deleted, ...imported }: ImportCounts) => `Deleted ${listCounts(deleted)}; imported ${listCounts(imported)}.`;

/** `--models user=accounts.customuser,group=accounts.team` (or the option given once per model). */
function parseModels(values: string[]): ModelChoice {
  const choice: ModelChoice = {};
  for (const pair of values.flatMap((value) => value.split(","))) {
    const match = /^([a-z]+)=([A-Za-z_][\w]*\.[A-Za-z_]\w*)$/.exec(pair.trim());
    if (!match || !MODEL_ROLES.includes(match[1] as ModelRole)) {
      throw new UsageError(
        `--models: expected role=app_label.model with a role among ${MODEL_ROLES.join(", ")}, such as user=accounts.user, got ${JSON.stringify(pair)}`,
      );
    }
    choice[match[1] as ModelRole] = match[2]!.toLowerCase();
  }
  return choice;
}

const COMMANDS: Record<string, CommandSpec> = {
  import: {
    synopsis: "<file.json> [--models role=app_label.model,…]",
    summary: "replace all data with a fixture or a Django dumpdata file, in one transaction",
    help: [
      "Replaces ALL data (tokens included) with the file's, in one transaction: every record lands, or none.",
      "The file is a fixture (docs/fixture-format.md: one JSON object) or the JSON of Django's",
      "`manage.py dumpdata` (one JSON list), told apart by its content. From a dump it reads the user,",
      "group and permission models, matched by model name whatever the app (accounts.user, auth.group),",
      "and DRF's authtoken.token, whose keys are hashed; entries of other models are skipped and counted.",
      "The whole file is checked first; a bad one is refused with one line per problem and changes nothing.",
      "",
      "  --models role=app_label.model,…   the dump's models, where the defaults do not fit or the dump",
      "                                    holds two (roles: user, group, permission, token),",
      "                                    such as --models user=accounts.customuser,group=accounts.team",
    ],
    options: { models: { type: "string", multiple: true } },
    arguments: 1,
    async run({ args: [path], values, database, progress }) {
      const models = parseModels((values.models as string[] | undefined) ?? []);
      // Read and check the file before touching the database at all.
      let reading = false;
      const { fixture, skipped } = await readImportFile(path!, {
        models,
        onBytes: (read, total) => {
          if (!reading) progress.start("Reading", total, "bytes");
          reading = true;
          progress.update(read);
        },
      });
      progress.stop();
      const db = await database();
      progress.start("Importing", countImportRows(fixture));
      let written = 0;
      const counts = await importFixture(db, fixture, (rows) => progress.update((written += rows)));
      progress.stop();
      if (skipped && skipped.size > 0) {
        const entries = [...skipped].sort(([a], [b]) => a.localeCompare(b));
        const total = entries.reduce((sum, [, count]) => sum + count, 0);
        printMessage(`Skipped ${counted(total, "entry", "entries")} of other models: ${entries.map(([label, count]) => `${count} ${label}`).join(", ")}.`);
      }
      printResult(importSummary(counts));
    },
  },
  export: {
    synopsis: "<file.json> [--force]",
    summary: "write all data as a fixture, which import reads back",
    help: [
      "Writes all data, as one moment's snapshot, in the fixture format (docs/fixture-format.md).",
      "Tokens are written as the SHA-256 of their key (key_hash), which import accepts back: the same keys",
      "keep working, and the file never holds a key. The file is written beside the target and renamed",
      "at the end, so a failure leaves no half-written file.",
      "",
      "  --force   replace the file if it exists (without it, an existing file is refused)",
    ],
    options: { force: { type: "boolean" } },
    arguments: 1,
    async run({ args: [path], values, database, progress }) {
      const db = await database();
      let started = false;
      const counts = await exportFixture(db, path!, {
        force: values.force === true,
        onRecords: (written, total) => {
          if (!started) progress.start("Exporting", total);
          started = true;
          progress.update(written);
        },
      });
      progress.stop();
      printResult(`Exported ${listCounts(counts)} to ${path}.`);
    },
  },
  "demo-data": {
    synopsis: "",
    summary: "replace all data with the demo data, whose admin key is public",
    help: ["Replaces ALL data with prisma/demo-fixture.json. Its admin's key is published: never on a real database."],
    options: {},
    arguments: 0,
    async run({ database }) {
      printResult(importSummary(await loadDemoData(await database())));
      printMessage("Warning: the demo admin's key is public (it is in the README): never use it, nor the demo data, on a real database.");
    },
  },
  "token create": {
    synopsis: "<username> [--expires-in 90s|30m|12h|30d]",
    summary: "make an API token and print its key, once",
    help: [
      "Prints the new key alone on stdout, once; only its hash is stored.",
      "",
      "  --expires-in 90s|30m|12h|30d   refuse the key after that long (at most 3650d); without it, it does not expire",
    ],
    options: { "expires-in": { type: "string" } },
    arguments: 1,
    async run({ args: [username], values, database }) {
      const expiresIn = values["expires-in"] as string | undefined;
      const lifetimeMs = expiresIn === undefined ? null : parseLifetime(expiresIn);
      const expiresAt = lifetimeMs === null ? null : new Date(Date.now() + lifetimeMs);
      const key = await createToken(await database(), username!, expiresAt);
      const expiry = expiresAt ? `It expires at ${expiresAt.toISOString()}. ` : "";
      printMessage(`Token created for ${username}. ${expiry}Its key is shown this once; only its hash is stored:`);
      printResult(key);
    },
  },
  "token list": {
    synopsis: "<username> [--json]",
    summary: "a user's tokens: id, created, expires, last used (never a key)",
    help: ["", "  --json   print the list as JSON, for scripts"],
    options: { json: { type: "boolean" } },
    arguments: 1,
    async run({ args: [username], values, database }) {
      const tokens = await listTokens(await database(), username!);
      printResult(...(values.json === true ? [JSON.stringify(tokens)] : formatTokenTable(tokens, new Date())));
    },
  },
  "token revoke": {
    synopsis: "<id>",
    summary: "delete a token: its key is refused from then on",
    help: ["<id> is a token's id, as token list shows it."],
    options: {},
    arguments: 1,
    async run({ args: [text], database }) {
      const id = /^[1-9]\d{0,9}$/.test(text!) ? Number(text) : NaN;
      if (!(id <= 2 ** 31 - 1)) throw new UsageError(`token revoke: expected a token id (a whole number from 1), got ${JSON.stringify(text)}`);
      const username = await revokeToken(await database(), id);
      printMessage(`Token ${id} of ${username} revoked: its key is refused from now on.`);
    },
  },
  ...DIRECTORY_COMMANDS,
  migrate: {
    synopsis: "",
    summary: "apply the migrations the database lacks (every other command does so first)",
    help: ["Runs prisma migrate deploy (scripts/prisma.mjs), under the lock that starting instances take too."],
    options: {},
    arguments: 0,
    async run({ connect, target }) {
      const applied = await applyMigrations(target, await connect());
      printMessage(applied.length === 0 ? "The database already has every migration." : `Applied ${counted(applied.length, "migration")}: ${applied.join(", ")}.`);
    },
  },
  "migrate status": {
    synopsis: "",
    summary: "which migrations the database lacks; exits 1 when some are pending",
    help: ["Changes nothing. Exit codes: 0 up to date, 1 migrations pending (or the database unreachable)."],
    options: {},
    arguments: 0,
    async run({ connect, target }) {
      const pending = await missingMigrations(await connect(), target);
      if (pending.length === 0) {
        printResult("Up to date: the database has every migration.");
        return 0;
      }
      printResult(`${counted(pending.length, "migration")} pending: ${pending.join(", ")}.`, "Run: npm run cli -- migrate (or start the service, which applies them).");
      return 1;
    },
  },
};

const usageLine = (name: string) => `npm run cli -- ${name}${COMMANDS[name]!.synopsis ? ` ${COMMANDS[name]!.synopsis}` : ""}`;

const USAGE = [
  "Usage:",
  ...Object.keys(COMMANDS).flatMap((name) => [`  ${usageLine(name)}`, `      ${COMMANDS[name]!.summary}`]),
  "",
  "`npm run cli -- <command> --help` tells more about a command. Exit codes: 0 done, 1 failed, 2 a wrong command line.",
];

/** The command the leading words name (`token create`), and the words after them. */
function findCommand(words: string[]): { name: string; rest: string[] } | null {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(" ");
    if (words.length >= length && Object.hasOwn(COMMANDS, name)) return { name, rest: words.slice(length) };
  }
  return null;
}

async function main(argv: string[]): Promise<number> {
  const words = argv.filter((arg) => !arg.startsWith("-"));
  const found = findCommand(words);
  if (argv.includes("--help") || argv.includes("-h")) {
    printResult(...(found ? [`Usage: ${usageLine(found.name)}`, "", COMMANDS[found.name]!.summary, ...COMMANDS[found.name]!.help] : USAGE));
    return 0;
  }
  if (!found) {
    printMessage(...USAGE);
    return 2;
  }
  const spec = COMMANDS[found.name]!;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    // Node's message goes on to explain `--` for positionals: its first sentence is the problem.
    printMessage(`${found.name}: ${(error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, "")}.`, `Usage: ${usageLine(found.name)}`);
    return 2;
  }
  const args = parsed.positionals.slice(found.name.split(" ").length);
  if (args.length !== spec.arguments) {
    printMessage(`${found.name}: expected ${counted(spec.arguments, "argument")}, got ${args.length}.`, `Usage: ${usageLine(found.name)}`);
    return 2;
  }
  const config = parseConfig();
  const progress = createProgress();
  let db: Database | null = null;
  const connect = async () => (db ??= createDatabase(config.database));
  const database = async () => {
    const connected = await connect();
    await applyMigrations(config.database, connected);
    return connected;
  };
  try {
    return (await spec.run({ args, values: parsed.values, database, connect, target: config.database, progress })) ?? 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printMessage(error.message);
    return 2;
  } finally {
    progress.stop();
    await (db as Database | null)?.$disconnect();
  }
}

function fail(error: unknown): never {
  printMessage(...describeFailure(error));
  process.exit(1);
}

// Whatever goes wrong, even outside main's promise (a pool's idle client
// failing, say), is told the same way, never as a stack trace.
limitHeapGrowth();
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
main(process.argv.slice(2)).then((code) => process.exit(code), fail);
