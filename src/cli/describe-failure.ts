// What the CLI says when a command fails: the problems, one line each, and
// never a stack trace. A Prisma error is cut down to its reason: its message
// quotes the source code around the failed call before it.
import { isDatabaseUnavailable } from "../db-errors.ts";
import { ConfigError } from "../env.ts";
import { FixtureError } from "../fixtures/parse-fixture.ts";
import { MigrationError } from "../migrate.ts";
import { UnknownUserError } from "./create-token.ts";

const linesOf = (text: string): string[] => text.trim().split(/\r?\n/);

/**
 * The database's own words when Prisma kept them: its summary line can
 * mislabel, as the SQLite adapter calls a trigger's refusal a foreign key
 * violation. Otherwise the last line of Prisma's message.
 */
function databaseReason(error: Error): string {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalMessage?: unknown } } } }).meta?.driverAdapterError?.cause;
  return typeof cause?.originalMessage === "string" ? cause.originalMessage : linesOf(error.message).at(-1)!;
}

export function describeFailure(error: unknown): string[] {
  if (error instanceof FixtureError) return ["Fixture refused:", ...error.problems.map((problem) => `  - ${problem}`)];
  if (error instanceof ConfigError) return error.problems;
  if (error instanceof UnknownUserError || error instanceof MigrationError) return linesOf(error.message);
  if (!(error instanceof Error)) return [`Failed: ${String(error)}`];
  if (isDatabaseUnavailable(error)) return [`The database cannot be reached: ${databaseReason(error)}`];
  if (error.name.startsWith("PrismaClient")) return [`The database refused the change, which was rolled back: ${databaseReason(error)}`];
  const [first, ...rest] = linesOf(error.message);
  return [`Failed: ${first}`, ...rest];
}
