// What a CLI command is: one entry of the table in main.ts (its usage, its
// --help, its options and arguments) and what it runs. The directory's
// commands are entries of directory-commands.ts.
import type { Database } from "../db/client.ts";
import type { DatabaseTarget } from "../db/url.ts";
import type { Progress } from "./progress.ts";

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command's run gets: its arguments, its options, the database once it asks for it, a progress bar. */
export type Run = {
  args: string[];
  values: Values;
  /** The database, its migrations applied first. */
  database: () => Promise<Database>;
  /** The database as it is, migrations or not (migrate and migrate status). */
  connect: () => Promise<Database>;
  target: DatabaseTarget;
  progress: Progress;
};

export type CommandSpec = {
  /** The arguments after the command's words, as the usage shows them. */
  synopsis: string;
  /** The line of the overall usage. */
  summary: string;
  /** What --help adds below the command's usage line. */
  help: string[];
  options: Record<string, { type: "string" | "boolean"; multiple?: boolean }>;
  arguments: number;
  /** Resolves when done (exit 0), or with the exit code it chose (migrate status: 1 when migrations are pending). */
  run(run: Run): Promise<void | number>;
};
