// The service's log: pino, one JSON object a line on stderr for whatever
// collects it, or the same records made readable by pino-pretty when a person
// watches a terminal. Every line of the service goes through it, Yoga's too
// (src/plugins/use-request-log.ts); the CLI prints its own messages instead.
import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import type { LogFormat, LogLevel } from "./env.ts";

export type Logger = PinoLogger;

export type LoggerOptions = {
  /** @default "auto": pretty when stderr is a terminal, JSON lines otherwise */
  format?: LogFormat;
  /** Where the lines go (tests collect them); stderr by default, as the start's own failure messages. */
  destination?: DestinationStream;
};

export function createLogger(level: LogLevel, { format = "auto", destination }: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      // "info" rather than pino's 30: readable as it is, and what collectors map to a severity.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? openDestination(level, format),
  );
}

function openDestination(level: LogLevel, format: LogFormat): DestinationStream {
  if (level === "silent") return { write: () => {} };
  const pretty = format === "pretty" || (format === "auto" && process.stderr.isTTY);
  // Synchronous writes: a line is out before the next statement runs, so
  // nothing is lost when the process exits, and no worker thread is spent.
  if (!pretty) return pino.destination({ fd: 2, sync: true });
  // Loaded only for a terminal: the JSON form, in production, never pays for it.
  const prettyStream = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return prettyStream({
    destination: 2,
    sync: true,
    // NO_COLOR, FORCE_COLOR and the terminal's own depth, as Node reads them for stderr.
    colorize: process.stderr.hasColors?.() ?? false,
    translateTime: "SYS:HH:MM:ss.l",
    // prettyMessage shows these, in one line.
    ignore: "pid,hostname,reqId,method,route,path,operation,status,responseTime,startup",
    messageFormat: prettyMessage,
  });
}

/** The banner's fields as the terminal shows them (src/index.ts). */
const STARTUP_LABELS: Record<string, string> = { demoData: "demo data", graphql: "GraphQL", graphiql: "GraphiQL", trustedDocuments: "trusted ops" };

/**
 * An access line as `GET /api/users/{id}/ 200 2.1 ms <reqId>`, the start's
 * banner as an aligned table under its message, and any other message
 * followed by its request's id when it has one.
 */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  if (typeof log.status === "number") {
    const target = [log.route ?? log.path ?? "(no route)", log.operation].filter(Boolean).join(" ");
    return `${log.method} ${target} ${log.status} ${log.responseTime} ms  ${log.reqId}`;
  }
  const lines = [log.reqId === undefined ? String(log[messageKey]) : `${log[messageKey]}  ${log.reqId}`];
  if (typeof log.startup === "object" && log.startup !== null) {
    for (const [key, value] of Object.entries(log.startup)) lines.push(`  ${(STARTUP_LABELS[key] ?? key).padEnd(12)}${value}`);
  }
  return lines.join("\n");
}
