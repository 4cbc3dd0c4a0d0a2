// What the CLI says when a command fails: the problems, one line each, and
// never a stack trace. A database error is cut down to its reason: Prisma's
// message quotes the source code around the failed call before it, and a
// driver's details may quote the rows' values.
import { isDatabaseUnavailable } from "../db/errors.ts";
import { ConfigError } from "../env.ts";
import { ExportError } from "../fixtures/export-fixture.ts";
import { FixtureError } from "../fixtures/parse-fixture.ts";
import { MigrationError } from "../db/migrate.ts";
import { DirectoryError } from "./directory.ts";
import { UnknownTokenError, UnknownUserError } from "./tokens.ts";

const linesOf = (text: string): string[] => text.trim().split(/\r?\n/);

type AdapterErrorCause = { originalMessage?: unknown };

/** An error from the database, either wrapped by Prisma or as the driver adapter threw it (PostgreSQL errors it has no name for). */
const isDatabaseError = (error: Error) => error.name.startsWith("PrismaClient") || error.name === "DriverAdapterError";

/**
 * The database's own words when the adapter kept them: Prisma's summary line
 * can mislabel, as it calls a SQLite trigger's refusal a foreign key
 * violation. Otherwise the last line of the message.
 */
function databaseReason(error: Error): string {
  const adapterError = error.name === "DriverAdapterError" ? error : (error as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  const cause = (adapterError as { cause?: AdapterErrorCause } | undefined)?.cause;
  return typeof cause?.originalMessage === "string" ? cause.originalMessage : linesOf(error.message).at(-1)!;
}

export function describeFailure(error: unknown): string[] {
  if (error instanceof FixtureError) return [`${error.kind} refused:`, ...error.problems.map((problem) => `  - ${problem}`)];
  if (error instanceof ExportError) return linesOf(error.message);
  if (error instanceof ConfigError) return error.problems;
  if (error instanceof UnknownUserError || error instanceof DirectoryError || error instanceof UnknownTokenError || error instanceof MigrationError) return linesOf(error.message);
  if (!(error instanceof Error)) return [`Failed: ${String(error)}`];
  if (isDatabaseUnavailable(error)) return [`The database cannot be reached: ${databaseReason(error)}`];
  if (isDatabaseError(error)) return [`The database refused the change, which was rolled back: ${databaseReason(error)}`];
  const [first, ...rest] = linesOf(error.message);
  return [`Failed: ${first}`, ...rest];
}
