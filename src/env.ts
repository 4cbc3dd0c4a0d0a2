// The only file that reads process.env. Every variable is parsed once, with a
// schema; all the bad ones are reported together, one line each, naming the
// variable, and the caller stops the start.
import { z } from "zod";
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseTarget } from "./database-url.ts";
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from "./db-adapter.ts";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const booleanFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"], { message: "expected true or false" })
    .optional()
    .transform((value) => (value === undefined ? fallback : value === "true" || value === "1"));

const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(parsed >= min && parsed <= max)) {
        ctx.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const variables = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .transform((value, ctx): DatabaseTarget => {
      try {
        return parseDatabaseUrl(value || DEFAULT_DATABASE_URL);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  DATABASE_POOL_SIZE: wholeNumber(DEFAULT_POOL_SETTINGS.poolSize, 1, 1000),
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(DEFAULT_POOL_SETTINGS.statementTimeoutMs, 100, 3_600_000),
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(DEFAULT_POOL_SETTINGS.connectTimeoutMs, 100, 600_000),
  DATABASE_START_ATTEMPTS: wholeNumber(5, 1, 100),
  PORT: wholeNumber(4000, 0, 65535),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || /^https?:\/\/[^/]+/.test(value), "expected an http(s) origin such as https://users.example.com")
    .transform((value) => value?.replace(/\/+$/, "") ?? null),
  MEDIA_URL: z
    .string()
    .default("/media/")
    .refine((value) => value.startsWith("/") || /^https?:\/\//.test(value), "expected a path starting with / or an http(s) URL")
    .transform((value) => (value.endsWith("/") ? value : `${value}/`)),
  ONLINE_WINDOW_SECONDS: wholeNumber(300, 1, 31_536_000),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  GRAPHQL_INTROSPECTION: booleanFlag(true),
  GRAPHIQL: booleanFlag(true),
});

export type Config = {
  database: DatabaseTarget;
  pool: PoolSettings;
  /** How many times the start tries to reach the database, with doubling pauses, before it gives up. */
  databaseStartAttempts: number;
  http: { port: number; host: string };
  /** Origin put before MEDIA_URL in avatar URLs; null means the request's own origin. */
  publicUrl: string | null;
  mediaUrl: string;
  onlineWindowSeconds: number;
  logLevel: LogLevel;
  graphql: { introspection: boolean; graphiql: boolean };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** Parses a set of variables (process.env by default); throws ConfigError listing every bad one. */
export function parseConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset, as in a shell's `FOO= npm start`.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = variables.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `Invalid configuration: ${issue.path.join(".")}: ${issue.message}`),
    );
  }
  const env = result.data;
  return {
    database: env.DATABASE_URL,
    pool: {
      poolSize: env.DATABASE_POOL_SIZE,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    },
    databaseStartAttempts: env.DATABASE_START_ATTEMPTS,
    http: { port: env.PORT, host: env.HOST },
    publicUrl: env.PUBLIC_URL,
    mediaUrl: env.MEDIA_URL,
    onlineWindowSeconds: env.ONLINE_WINDOW_SECONDS,
    logLevel: env.LOG_LEVEL,
    graphql: { introspection: env.GRAPHQL_INTROSPECTION, graphiql: env.GRAPHIQL },
  };
}
