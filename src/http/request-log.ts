// One access line per request, written when its answer is ready: its id, the
// method, the route it matched (the template, never the path: what a client
// puts in a path stays out of the log), the GraphQL operation's name, the
// status and the time the service took. Never a header, the query, the
// variables or a body: no key and no personal data reach the log at info.
//
// The id is the X-Request-Id a client or load balancer sent, when that is a
// plain token, or a new UUID; the answer carries it back in X-Request-Id, and
// every line logged for the request carries it as reqId, so a reported id
// finds that request's lines.
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.ts";

export const REQUEST_ID_HEADER = "X-Request-Id";

/**
 * UUIDs, hex digests, base64 and most tracing ids fit. Anything else (empty,
 * long, with spaces, quotes or control characters, any of which could forge
 * a line where the log is read as text) is replaced, not cleaned.
 */
const USABLE_REQUEST_ID = /^[\w.:+/=@-]{1,200}$/;

/** Unmatched paths are logged at debug only, and cut to this many characters. */
const LOGGED_PATH_LENGTH = 200;

export class RequestLog {
  readonly id: string;
  /** The GraphQL operation's name, once Yoga has it (src/plugins/use-request-log.ts). */
  operation: string | undefined;
  private readonly started = performance.now();
  private child: Logger | undefined;

  constructor(
    private readonly base: Logger,
    sentId: string | null | undefined,
  ) {
    this.id = sentId && USABLE_REQUEST_ID.test(sentId) ? sentId : randomUUID();
  }

  /** For what goes wrong while the request is served: each line carries reqId. Made on first use, as most requests log nothing else. */
  get logger(): Logger {
    return (this.child ??= this.base.child({ reqId: this.id }));
  }

  /**
   * Writes the access line. `route` is the template the path matched,
   * undefined when it matched none; then the path itself is added at debug.
   * A passing health check is logged at debug too: probes call it every few
   * seconds, and a line each would bury the requests.
   */
  end(method: string, status: number, route: string | undefined, path?: string) {
    const level = route === "/healthz" && status === 200 ? "debug" : "info";
    if (!this.base.isLevelEnabled(level)) return;
    const responseTime = Math.round((performance.now() - this.started) * 10) / 10;
    const unmatchedPath = route === undefined && path !== undefined && this.base.isLevelEnabled("debug") ? path.slice(0, LOGGED_PATH_LENGTH) : undefined;
    this.base[level](
      { reqId: this.id, method, route, path: unmatchedPath, operation: this.operation, status, responseTime },
      "request completed",
    );
  }
}

const logs = new WeakMap<Request, RequestLog>();

/** Starts the request's log line; the request is its key for what logs on its behalf. */
export function startRequestLog(request: Request, logger: Logger): RequestLog {
  const log = new RequestLog(logger, request.headers.get(REQUEST_ID_HEADER));
  logs.set(request, log);
  return log;
}

/** `copy`, a new Request made for `request` (src/http/graphql-json-post.ts), logged as `request` is. */
export function carryRequestLog<R extends Request>(request: Request, copy: R): R {
  const log = logs.get(request);
  if (log) logs.set(copy, log);
  return copy;
}

export function requestLogOf(request: Request): RequestLog | undefined {
  return logs.get(request);
}

/** The request's logger (lines carry its reqId), or `fallback` outside a logged request. */
export function loggerFor(request: Request, fallback: Logger): Logger {
  return logs.get(request)?.logger ?? fallback;
}
