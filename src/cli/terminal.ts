// The one place the CLI writes to the terminal. Every line goes through
// printable(), so no message, ours or one quoting a fixture, a file name, a
// username or a database, can send the terminal a control character. A
// message is given as lines, so that a line break can only be ours.
import { printable } from "../printable.ts";

function write(stream: NodeJS.WriteStream, lines: string[]): void {
  stream.write(lines.map((line) => `${printable(line)}\n`).join(""));
}

/** What a script would capture: a key, a summary of what was done. */
export const printResult = (...lines: string[]): void => write(process.stdout, lines);

/** Usage, warnings and failures, for the person at the terminal. */
export const printMessage = (...lines: string[]): void => write(process.stderr, lines);
