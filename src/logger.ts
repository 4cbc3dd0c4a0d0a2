// A leveled logger on stderr, shaped as Yoga's `logging` option expects, so
// that the service and Yoga write through one LOG_LEVEL.
import type { LogLevel } from "./env.ts";

export type Logger = Record<"debug" | "info" | "warn" | "error", (...args: unknown[]) => void>;

const ORDER: LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export function createLogger(level: LogLevel): Logger {
  const threshold = ORDER.indexOf(level);
  const at = (name: Exclude<LogLevel, "silent">) =>
    ORDER.indexOf(name) >= threshold ? (...args: unknown[]) => console.error(`[${name}]`, ...args) : () => {};
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
