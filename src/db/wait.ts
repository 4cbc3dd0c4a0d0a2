// The start's first contact with the database: a server that is still
// booting (or briefly away) gets a few tries with doubling pauses; one that
// refuses us for another reason (no such database, bad credentials) fails at once.
import { describeDatabase, type DatabaseTarget } from "./url.ts";
import type { Database } from "./client.ts";
import { isDatabaseUnavailable } from "./errors.ts";
import type { Logger } from "../logger.ts";

const FIRST_PAUSE_MS = 500;

export class DatabaseUnreachableError extends Error {}

function lastLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split("\n").at(-1)!.trim();
}

export async function waitForDatabase(db: Database, target: DatabaseTarget, attempts: number, logger: Logger) {
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.$queryRawUnsafe("SELECT 1");
      return;
    } catch (error) {
      const where = describeDatabase(target);
      if (!isDatabaseUnavailable(error)) throw new DatabaseUnreachableError(`the database at ${where} refused: ${lastLine(error)}`);
      if (attempt >= attempts) {
        throw new DatabaseUnreachableError(`the database at ${where} did not answer after ${attempts} attempts (${lastLine(error)})`);
      }
      logger.warn(`The database at ${where} did not answer (attempt ${attempt} of ${attempts}); trying again in ${pause} ms.`);
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause *= 2;
    }
  }
}
