// Tells a database that cannot be reached from every other failure, so that
// both APIs answer 503 / SERVICE_UNAVAILABLE for it and mask the rest.

// Prisma's error codes for a server that cannot be reached, closed the
// connection, or ran out of connections.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// The driver adapters' names for the same (DriverAdapterError's cause.kind).
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
// Node's socket errors, SQLite's "cannot open / busy / locked", and
// PostgreSQL's connection exceptions (class 08) and shutdowns (57P0x).
const DRIVER_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|SQLITE_CANTOPEN|SQLITE_BUSY|SQLITE_LOCKED|08...|57P0[1-3])$/;
const MESSAGES = /Connection terminated|Can't reach database server|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (typeof current !== "object") return false;
    const candidate = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    if (typeof candidate.code === "string" && (PRISMA_CODES.has(candidate.code) || DRIVER_CODES.test(candidate.code))) {
      return true;
    }
    if (typeof candidate.kind === "string" && ADAPTER_KINDS.has(candidate.kind)) return true;
    if (typeof candidate.message === "string" && MESSAGES.test(candidate.message)) return true;
    // Prisma wraps the adapter's error in `meta`; the adapter keeps the driver's in `cause`.
    current = candidate.meta?.driverAdapterError ?? candidate.cause;
  }
  return false;
}
