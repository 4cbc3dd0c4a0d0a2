#!/usr/bin/env node
// Prisma's schema engine, for the Prisma CLI on machines that reach no
// download host: scripts/prisma.mjs points PRISMA_SCHEMA_ENGINE_BINARY here.
//
// Prisma 7's CLI runs every migrate command (deploy, status, diff, resolve)
// through a native `schema-engine` binary that it downloads, and it no longer
// uses the WebAssembly build of the same engine, which Prisma publishes on npm
// as @prisma/schema-engine-wasm and which Prisma 6 ran over a driver adapter.
// This file speaks the native binary's interface and hands every request to
// that WebAssembly engine, connected through the service's own driver adapter
// (src/db/adapter.ts). It runs no SQL and no migration logic of its own: what
// is applied, recorded in `_prisma_migrations`, checked or printed is the
// engine's work, driven by the official CLI. Remove it once the CLI runs the
// WebAssembly engine again, or a native engine can be installed here.
//
// The binary's interface, as the CLI uses it (prisma/build/index.js):
// - `schema-engine --datasource '{"url":…}' cli <command>`: one-shot commands
//   (`can-connect-to-database`, `create-database`); exit code 0 on success, and
//   on failure JSON log lines on stderr, after a first line the CLI skips.
// - `schema-engine [--datamodels <file>]… [--datasource '{"url":…}']`: a
//   JSON-RPC 2.0 server, one message per line on stdin and stdout, JSON log
//   lines on stderr; the CLI stops it by closing stdin.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { register } from "tsx/esm/api";

register();
const { parseDatabaseUrl } = await import("../src/db/url.ts");
const { createAdapterFactory } = await import("../src/db/adapter.ts");
const { parseConfig } = await import("../src/env.ts");
const { lockMigrations, MIGRATION_LOCK_HELD_ENV } = await import("../src/db/migrate.ts");
const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
const engineGlue = await import("@prisma/schema-engine-wasm/schema_engine_bg");

const { values: options, positionals } = parseArgs({
  options: {
    datamodels: { type: "string", multiple: true },
    datasource: { type: "string" },
    "enabled-preview-features": { type: "string" },
    "extension-types": { type: "string" },
  },
  allowPositionals: true,
});

/** The connector's errors, in the shape the CLI reads from the native engine's stderr. */
function logLine(level, message, errorCode) {
  const fields = errorCode ? { message, error_code: errorCode } : { message };
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: "schema_engine::logger" })}\n`);
}

function datasourceUrl() {
  const url = options.datasource ? JSON.parse(options.datasource).url : undefined;
  if (!url) throw Object.assign(new Error("No datasource URL was given to the schema engine."), { code: "P1012" });
  return url;
}

/**
 * The service's adapter for the URL the CLI names, with the service's pool
 * settings (timeouts), but no prepared statements: a migration sends each
 * statement about once, and changes the tables that a prepared one would read.
 */
function connectTo(url) {
  const target = parseDatabaseUrl(url);
  const factory = createAdapterFactory(target, { ...parseConfig().pool, preparedStatements: 0 });
  return target.engine === "sqlite" ? withMigrationLockFile(factory, target) : withWholeScripts(factory);
}

/**
 * A migration's script sent to PostgreSQL whole, in one simple query, as the
 * native engine sends it (its `raw_cmd`). @prisma/adapter-pg 7.10's
 * executeScript splits the script at every ";" and sends each piece apart,
 * which cuts a function's body (`$$ … ; … $$`) and any comment holding a ";"
 * into pieces that do not parse: the triggers of the migration
 * 20261201000000_change_notifications could not be applied.
 */
function withWholeScripts(factory) {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    adapter.executeScript = async (script) => {
      try {
        await adapter.client.query(script);
      } catch (error) {
        adapter.onError(error);
      }
    };
    return adapter;
  };
  return factory;
}

/**
 * The engine's migration lock on SQLite, as its `acquire_lock()` takes it:
 * this statement, which would hold the whole file until the engine exits. A
 * SQLite file is in WAL mode here (src/db/adapter.ts), where every open
 * connection holds a shared lock on it, so that lock is never granted while
 * the service, a worker or the CLI has the file open: the migration failed
 * after the busy timeout ("unknown variant `SocketTimeout`"). Prisma's engine
 * itself skips the statement for libSQL and D1 (prisma/prisma-engines#5309).
 * Here the migration lock file of src/db/migrate.ts takes its role, one
 * migration at a time: taken now, unless the service's start that ran this
 * CLI holds it already, and released when this process exits.
 */
const EXCLUSIVE_LOCK = "PRAGMA main.locking_mode=EXCLUSIVE";

function withMigrationLockFile(factory, target) {
  const connect = factory.connect.bind(factory);
  let locked = process.env[MIGRATION_LOCK_HELD_ENV] === "1";
  factory.connect = async () => {
    const adapter = await connect();
    // The engine sends it through executeRaw.
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      if (query.sql.trim() !== EXCLUSIVE_LOCK) return executeRaw(query);
      if (!locked) {
        await lockMigrations(target);
        locked = true;
      }
      return 0;
    };
    return adapter;
  };
  return factory;
}

async function loadEngine() {
  // The package's own entry imports the .wasm file as a module, which Node
  // does not do without a flag; the glue is instantiated by hand instead.
  const wasmFile = join(dirname(fileURLToPath(import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg"))), "schema_engine_bg.wasm");
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmFile), { "./schema_engine_bg.js": engineGlue });
  engineGlue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  const datamodels = (options.datamodels ?? []).map((path) => [path, readFileSync(path, "utf8")]);
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(connectTo(datasourceUrl()));
  const log = (line) => process.stderr.write(`${line}\n`);
  const engine = await engineGlue.SchemaEngine.new({ datamodels: datamodels.length > 0 ? datamodels : undefined }, log, adapterFactory);
  return { engine, adapterFactory };
}

/** The native engine's name for a method, where the WebAssembly engine's differs. */
const METHOD_NAMES = { getDatabaseVersion: "version" };

/** What the native engine answers for an error; the CLI shows `message` and switches on `error_code`. */
function rpcError(error, adapterFactory) {
  // A driver's error reaches the engine's caller as "External error id#N";
  // the adapter keeps the error itself under N.
  const externalId = /External error id#(\d+)/.exec(String(error?.message))?.[1];
  const captured = externalId === undefined ? undefined : adapterFactory.errorRegistry.consumeError(Number(externalId))?.error;
  const cause = captured ?? error;
  const message = String(cause?.message ?? cause);
  const isPanic = error instanceof WebAssembly.RuntimeError || /panicked at/.test(message);
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: { is_panic: isPanic, message, meta: cause?.meta ?? null, error_code: typeof cause?.code === "string" ? cause.code : null },
  };
}

async function serveJsonRpc() {
  const { engine, adapterFactory } = await loadEngine();
  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  let pending = Promise.resolve();
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    if (request.method === undefined) continue; // the CLI's answer to a `print`
    // One request at a time, in order, as the native engine answers them.
    pending = pending.then(async () => {
      const method = METHOD_NAMES[request.method] ?? request.method;
      try {
        if (typeof engine[method] !== "function") throw new Error(`The schema engine has no method ${request.method}.`);
        let result = await engine[method](request.params);
        if (method === "diff" && result) {
          // The WebAssembly engine returns the diff; the native one asks the
          // CLI to print it (a `print` request, answered on stdin), and the CLI
          // ends it with a newline.
          const { stdout, ...rest } = result;
          if (stdout) send({ jsonrpc: "2.0", id: `print-${request.id}`, method: "print", params: { content: stdout.replace(/\n$/, "") } });
          result = rest;
        }
        send({ jsonrpc: "2.0", id: request.id, result: result ?? null });
      } catch (error) {
        send({ jsonrpc: "2.0", id: request.id, error: rpcError(error, adapterFactory) });
      }
    });
  }
  await pending;
  engine.free();
}

async function runCliCommand(command) {
  if (command !== "can-connect-to-database" && command !== "create-database") {
    throw new Error(`The schema engine has no command ${command}.`);
  }
  // A SQLite file is made by the adapter factory; a PostgreSQL database must exist already.
  const adapter = await connectTo(datasourceUrl()).connect();
  try {
    await adapter.queryRaw({ sql: "SELECT 1", args: [], argTypes: [] });
  } finally {
    await adapter.dispose();
  }
}

try {
  if (positionals[0] === "cli") await runCliCommand(positionals[1]);
  else await serveJsonRpc();
  process.exit(0);
} catch (error) {
  process.stderr.write("schema engine failed\n"); // the CLI skips the first line
  logLine("ERROR", String(error?.message ?? error), typeof error?.code === "string" ? error.code : "P1001");
  process.exit(1);
}
