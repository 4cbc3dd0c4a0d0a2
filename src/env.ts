// The only file that reads process.env. Every variable is parsed once, with a
// schema; all the bad ones are reported together, one line each, naming the
// variable, and the caller stops the start.
import { z } from "zod";
import { checkSqliteFolder, DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseTarget } from "./db/url.ts";
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from "./db/adapter.ts";
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from "./plugins/use-operation-limits.ts";
import { readTrustedDocuments, type TrustedDocuments } from "./plugins/use-trusted-documents.ts";
import { parseRate, RATE_EXAMPLE, type ThrottleRate } from "./throttle/rate.ts";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** auto: pretty when stderr is a terminal, JSON lines otherwise (src/logger.ts). */
export const LOG_FORMATS = ["auto", "pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

// Every message names the value it got: the operator sees at once what the
// shell really passed (a stray quote, a unit, a typo).
const got = (value: string) => `got ${JSON.stringify(value)}`;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.string().refine((value): value is T[number] => values.includes(value), (value) => ({
    message: `expected one of ${values.join(", ")}, ${got(value)}`,
  }));

const FLAG_VALUES = ["true", "false", "1", "0"] as const;
/** true/false (or 1/0); `fallback` when unset, which `hint` may explain in the message. */
const booleanFlag = <Fallback>(fallback: Fallback, hint = "") =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined || (FLAG_VALUES as readonly string[]).includes(value), (value) => ({
      message: `expected true or false${hint}, ${got(value ?? "")}`,
    }))
    .transform((value) => (value === undefined ? fallback : value === "true" || value === "1"));

const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(parsed >= min && parsed <= max)) {
        ctx.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max}, ${got(value)}` });
        return z.NEVER;
      }
      return parsed;
    });

/** A whole number from 0, or `never` (null). */
const countOrNever = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx): number | null => {
      if (value === undefined) return fallback;
      if (value === "never") return null;
      if (!/^\d{1,9}$/.test(value)) {
        ctx.addIssue({ code: "custom", message: `expected a whole number or never, ${got(value)}` });
        return z.NEVER;
      }
      return Number(value);
    });

/** A rate in DRF's notation (src/throttle/rate.ts); null (no throttling) when unset. */
const throttleRate = () =>
  z
    .string()
    .optional()
    .transform((value, ctx): ThrottleRate | null => {
      if (value === undefined) return null;
      const rate = parseRate(value);
      if (!rate) {
        ctx.addIssue({ code: "custom", message: `expected a rate such as ${RATE_EXAMPLE}, ${got(value)}` });
        return z.NEVER;
      }
      return rate;
    });

const variables = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .transform((value, ctx): DatabaseTarget => {
      try {
        const target = parseDatabaseUrl(value ?? DEFAULT_DATABASE_URL);
        // The default's folder is made at start; a folder the operator named must exist.
        if (value !== undefined) checkSqliteFolder(target);
        return target;
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  DATABASE_POOL_SIZE: wholeNumber(DEFAULT_POOL_SETTINGS.poolSize, 1, 1000),
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(DEFAULT_POOL_SETTINGS.statementTimeoutMs, 100, 3_600_000),
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(DEFAULT_POOL_SETTINGS.connectTimeoutMs, 100, 600_000),
  DATABASE_PREPARED_STATEMENTS: wholeNumber(DEFAULT_POOL_SETTINGS.preparedStatements, 0, 10_000),
  DATABASE_START_ATTEMPTS: wholeNumber(5, 1, 100),
  PORT: wholeNumber(4000, 0, 65535),
  HOST: z.string().default("0.0.0.0"),
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      const patterns = value.split(",").map((pattern) => pattern.trim().toLowerCase());
      const bad = patterns.filter((pattern) => !isHostPattern(pattern));
      if (bad.length > 0) {
        ctx.addIssue({ code: "custom", message: `expected host names separated by commas, such as users.example.com,.example.org, ${got(value)}` });
        return z.NEVER;
      }
      return patterns;
    }),
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || /^https?:\/\/[^/]+/.test(value), (value) => ({
      message: `expected an http(s) origin such as https://users.example.com, ${got(value ?? "")}`,
    }))
    .transform((value) => value?.replace(/\/+$/, "") ?? null),
  MEDIA_URL: z
    .string()
    .default("/media/")
    .refine((value) => value.startsWith("/") || /^https?:\/\//.test(value), (value) => ({
      message: `expected a path starting with / or an http(s) URL, ${got(value)}`,
    }))
    .transform((value) => (value.endsWith("/") ? value : `${value}/`)),
  ONLINE_WINDOW_SECONDS: wholeNumber(300, 1, 31_536_000),
  LOG_LEVEL: oneOf(LOG_LEVELS).default("info"),
  LOG_FORMAT: oneOf(LOG_FORMATS).default("auto"),
  GRAPHQL_INTROSPECTION: booleanFlag(true),
  // Unset: on, unless trusted documents are (GraphiQL sends whatever is typed in it).
  GRAPHIQL: booleanFlag(null),
  GRAPHQL_TRUSTED_DOCUMENTS: z
    .string()
    .optional()
    .transform((value, ctx): TrustedDocuments | null => {
      if (value === undefined) return null;
      try {
        return readTrustedDocuments(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  DEMO_DATA: booleanFlag<DemoData>("auto", " (unset: only on a new default SQLite file)"),
  DEBUG_ERRORS: booleanFlag(false),
  HTTP_HEADERS_TIMEOUT_MS: wholeNumber(10_000, 100, 600_000),
  HTTP_REQUEST_TIMEOUT_MS: wholeNumber(30_000, 100, 3_600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: wholeNumber(5_000, 0, 600_000),
  // 100 KiB. No request needs a large body: REST reads none, and the largest
  // GraphQL operation this schema has use for (seventeen users with every
  // field, spelled out without fragments) is 7.4 KB, GraphiQL's introspection
  // query 2 KB: this is ten times any legitimate body, and it caps what a
  // client can make the service hold or parse before any other check runs.
  MAX_BODY_BYTES: wholeNumber(102_400, 1_024, 104_857_600),
  // Each default is explained where the limit is (src/plugins/use-operation-limits.ts).
  GRAPHQL_MAX_ALIASES: wholeNumber(DEFAULT_OPERATION_LIMITS.aliases, 0, 10_000),
  GRAPHQL_MAX_DEPTH: wholeNumber(DEFAULT_OPERATION_LIMITS.depth, 1, 1_000),
  GRAPHQL_MAX_TOKENS: wholeNumber(DEFAULT_OPERATION_LIMITS.tokens, 1, 1_000_000),
  GRAPHQL_MAX_DIRECTIVES: wholeNumber(DEFAULT_OPERATION_LIMITS.directives, 0, 10_000),
  GRAPHQL_MAX_COST: wholeNumber(DEFAULT_OPERATION_LIMITS.cost, 1, 100_000_000),
  // Why 10: src/plugins/use-compiled-execution.ts (not imported here: the CLI
  // reads this file too, and would load graphql-jit for nothing, 12 MB).
  GRAPHQL_COMPILE_AFTER: countOrNever(10),
  WEB_CONCURRENCY: wholeNumber(1, 1, 64),
  // A thousand keys: about a megabyte (src/auth/requester-cache.ts).
  REQUESTER_CACHE_SIZE: wholeNumber(1_000, 0, 1_000_000),
  // Ten thousand grants: about a megabyte at most (src/group-permissions-cache.ts).
  GROUP_PERMISSIONS_CACHE_SIZE: wholeNumber(10_000, 0, 1_000_000),
  THROTTLE_USER_RATE: throttleRate(),
  THROTTLE_ANON_RATE: throttleRate(),
  // How many proxies in front of the service append to X-Forwarded-For; 0 trusts none of it.
  TRUST_PROXY: wholeNumber(0, 0, 32),
  REDIS_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || /^rediss?:\/\/[^/]/.test(value), (value) => ({
      message: `expected a redis:// or rediss:// URL such as redis://localhost:6379, ${got(value ?? "")}`,
    })),
  // Never echoed back: the message names the variable and what was wrong, not the secret.
  METRICS_TOKEN: z
    .string()
    .optional()
    .refine((value) => value === undefined || /^[\x21-\x7e]{16,512}$/.test(value), (value) => ({
      message: `expected 16 to 512 printable ASCII characters without spaces (such as \`openssl rand -hex 32\`), got ${value?.length ?? 0} characters`,
    })),
  METRICS_PORT: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(parsed >= 0 && parsed <= 65535)) {
        ctx.addIssue({ code: "custom", message: `expected a port from 0 to 65535, ${got(value)}` });
        return z.NEVER;
      }
      return parsed;
    }),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return [];
      const origins = value.split(",").map((origin) => origin.trim().replace(/\/$/, ""));
      if (!origins.every(isWebOrigin)) {
        ctx.addIssue({ code: "custom", message: `expected origins separated by commas, such as https://app.example.com,http://localhost:5173, ${got(value)}` });
        return z.NEVER;
      }
      return origins;
    }),
});

/** `https://app.example.com` or `http://localhost:5173`: a scheme, a host and maybe a port, exactly as a browser sends it in Origin. */
function isWebOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === text;
  } catch {
    return false;
  }
}

/** A host name, an IP address, `.example.com` (the domain and its subdomains) or `*`, as Django's ALLOWED_HOSTS takes them. */
function isHostPattern(pattern: string): boolean {
  return pattern === "*" || /^\.?([a-z0-9-]+\.)*[a-z0-9-]+\.?$|^\[[0-9a-f:.]+\]$/.test(pattern);
}

/** "auto": only into a new default SQLite file; true: into any database with no users; false: never. */
export type DemoData = "auto" | boolean;

export type Config = {
  database: DatabaseTarget;
  /** DATABASE_URL was unset: the embedded file ./data/users-gateway.db. */
  databaseIsDefault: boolean;
  pool: PoolSettings;
  /** How many times the start tries to reach the database, with doubling pauses, before it gives up. */
  databaseStartAttempts: number;
  http: {
    port: number;
    host: string;
    /** Lowercase Django-style host patterns; null accepts any Host. */
    allowedHosts: string[] | null;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Browser origins that may call the API cross-origin (CORS); none when empty. */
    corsOrigins: string[];
    /** The largest request body accepted, in bytes; a larger one is a 413 before it is read. */
    maxBodyBytes: number;
    /** Proxies whose X-Forwarded-For entries are believed, counted from the service outwards. */
    trustProxyHops: number;
  };
  /** DRF's user and anonymous rates; null is no throttling. Counts go to Redis when `redisUrl` is set. */
  throttle: { userRate: ThrottleRate | null; anonRate: ThrottleRate | null; redisUrl: string | null };
  /** Origin put before MEDIA_URL in avatar URLs; null means the request's own origin. */
  publicUrl: string | null;
  mediaUrl: string;
  onlineWindowSeconds: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  graphql: {
    introspection: boolean;
    graphiql: boolean;
    limits: OperationLimits;
    /** The only documents that run, by id; null runs any document. */
    trustedDocuments: TrustedDocuments | null;
    /** Runs of an operation before it is compiled (src/plugins/use-compiled-execution.ts); null: never. */
    compileAfter: number | null;
  };
  demoData: DemoData;
  /** Unexpected errors' messages and stacks in responses: for a developer's machine only. */
  debugErrors: boolean;
  /** Processes serving the port: 1 serves from the starting process, more run as node:cluster workers. */
  webConcurrency: number;
  /** Token keys whose requesters are kept while the database is unchanged (src/auth/requester-cache.ts); 0: none. */
  requesterCacheSize: number;
  /** Group-to-permission grants kept while the database is unchanged (src/group-permissions-cache.ts); 0, or more grants than this: none. */
  groupPermissionsCacheSize: number;
  /**
   * Prometheus metrics (src/metrics/): off (not even collected) unless one of
   * these is set. `token`: /metrics needs `Authorization: Bearer <token>`;
   * `port`: served there only (on HOST), and not on the main port.
   */
  metrics: { token: string | null; port: number | null };
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
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError([
      `Invalid configuration: HTTP_HEADERS_TIMEOUT_MS: expected at most HTTP_REQUEST_TIMEOUT_MS (${env.HTTP_REQUEST_TIMEOUT_MS}), ${got(String(env.HTTP_HEADERS_TIMEOUT_MS))}`,
    ]);
  }
  if (env.GRAPHIQL === true && env.GRAPHQL_TRUSTED_DOCUMENTS) {
    throw new ConfigError([
      `Invalid configuration: GRAPHIQL: GraphiQL runs the text typed in it, which GRAPHQL_TRUSTED_DOCUMENTS refuses: leave GRAPHIQL unset (off with trusted documents) or set it to false, ${got(present.GRAPHIQL!)}`,
    ]);
  }
  if (env.METRICS_PORT !== null && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    throw new ConfigError([`Invalid configuration: METRICS_PORT: expected another port than PORT (${env.PORT}), ${got(String(env.METRICS_PORT))}`]);
  }
  return {
    database: env.DATABASE_URL,
    databaseIsDefault: present.DATABASE_URL === undefined,
    pool: {
      poolSize: env.DATABASE_POOL_SIZE,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    },
    databaseStartAttempts: env.DATABASE_START_ATTEMPTS,
    http: {
      port: env.PORT,
      host: env.HOST,
      allowedHosts: env.ALLOWED_HOSTS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      corsOrigins: env.CORS_ORIGINS,
      maxBodyBytes: env.MAX_BODY_BYTES,
      trustProxyHops: env.TRUST_PROXY,
    },
    throttle: { userRate: env.THROTTLE_USER_RATE, anonRate: env.THROTTLE_ANON_RATE, redisUrl: env.REDIS_URL ?? null },
    publicUrl: env.PUBLIC_URL,
    mediaUrl: env.MEDIA_URL,
    onlineWindowSeconds: env.ONLINE_WINDOW_SECONDS,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    graphql: {
      introspection: env.GRAPHQL_INTROSPECTION,
      graphiql: env.GRAPHIQL ?? env.GRAPHQL_TRUSTED_DOCUMENTS === null,
      limits: {
        aliases: env.GRAPHQL_MAX_ALIASES,
        depth: env.GRAPHQL_MAX_DEPTH,
        tokens: env.GRAPHQL_MAX_TOKENS,
        directives: env.GRAPHQL_MAX_DIRECTIVES,
        cost: env.GRAPHQL_MAX_COST,
      },
      trustedDocuments: env.GRAPHQL_TRUSTED_DOCUMENTS,
      compileAfter: env.GRAPHQL_COMPILE_AFTER,
    },
    demoData: env.DEMO_DATA,
    debugErrors: env.DEBUG_ERRORS,
    webConcurrency: env.WEB_CONCURRENCY,
    requesterCacheSize: env.REQUESTER_CACHE_SIZE,
    groupPermissionsCacheSize: env.GROUP_PERMISSIONS_CACHE_SIZE,
    metrics: { token: env.METRICS_TOKEN ?? null, port: env.METRICS_PORT },
  };
}
