// The failures a client is meant to see. Both APIs throw these: GraphQL shows
// them with `extensions.code` (Yoga passes a GraphQLError through its
// masking), and the REST route turns `status` and `message` into DRF's answer.
// Anything else thrown is unexpected and stays masked.
import { GraphQLError } from "graphql";
import { isDatabaseUnavailable } from "./db/errors.ts";

export const DRF_MESSAGES = {
  notAuthenticated: "Authentication credentials were not provided.",
  noCredentials: "Invalid token header. No credentials provided.",
  tokenWithSpaces: "Invalid token header. Token string should not contain spaces.",
  tokenNotUtf8: "Invalid token header. Token string should not contain invalid characters.",
  invalidToken: "Invalid token.",
  inactiveUser: "User inactive or deleted.",
  permissionDenied: "You do not have permission to perform this action.",
  notFound: "Not found.",
  serviceUnavailable: "The database is unavailable. Try again shortly.",
} as const;

/** The 400s of requests refused before any route (src/http/). Not DRF's: Django answers these with HTML. */
export const badRequestDetail = {
  malformedHost: "Bad Request: the Host header is not a valid host name.",
  disallowedHost: (name: string) => `Bad Request: the host ${JSON.stringify(name)} is not in ALLOWED_HOSTS.`,
  requestTarget: "Bad Request: the request target must be a path starting with /.",
} as const;

/** The 413 of a body over MAX_BODY_BYTES, refused before any route (src/http/node-server.ts). */
export const bodyTooLargeDetail = (limit: number) => `Request body too large: the limit is ${limit} bytes.`;

/** The 500 body, when something unexpected failed; the cause goes to the log only. */
export const SERVER_ERROR_DETAIL = "A server error occurred.";

export abstract class ClientFacingError extends GraphQLError {
  abstract readonly status: number;
}

/** No credentials, or credentials that do not name an active user. */
export class UnauthenticatedError extends ClientFacingError {
  readonly status = 401;
  constructor(message: string = DRF_MESSAGES.notAuthenticated) {
    super(message, { extensions: { code: "UNAUTHENTICATED" } });
  }
}

/** A known requester that the access rules do not allow. */
export class ForbiddenError extends ClientFacingError {
  readonly status = 403;
  constructor(message: string = DRF_MESSAGES.permissionDenied) {
    super(message, { extensions: { code: "FORBIDDEN" } });
  }
}

/** An argument the schema's types accept but the field cannot use: a bad cursor, a page too large. */
export class BadUserInputError extends ClientFacingError {
  readonly status = 400;
  constructor(message: string) {
    super(message, { extensions: { code: "BAD_USER_INPUT" } });
  }
}

/** The database cannot be reached; the same request may work shortly. */
export class ServiceUnavailableError extends ClientFacingError {
  readonly status = 503;
  constructor(message: string = DRF_MESSAGES.serviceUnavailable) {
    super(message, { extensions: { code: "SERVICE_UNAVAILABLE" } });
  }
}

/**
 * Over a throttle rate (src/throttle/): DRF's Throttled, with its message
 * and its Retry-After; GraphQL answers it with the same status and header.
 */
export class ThrottledError extends ClientFacingError {
  readonly status = 429;
  constructor(readonly waitSeconds: number) {
    super(`Request was throttled. Expected available in ${waitSeconds} ${waitSeconds === 1 ? "second" : "seconds"}.`, {
      extensions: { code: "RATE_LIMITED", retryAfter: waitSeconds, http: { status: 429, headers: { "Retry-After": String(waitSeconds) } } },
    });
  }
}

export function isClientFacingError(error: unknown): error is ClientFacingError {
  return error instanceof ClientFacingError;
}

/** ServiceUnavailableError when `error` (or the error it wraps) says the database cannot be reached. */
export function asServiceUnavailable(error: unknown): ServiceUnavailableError | null {
  const original = error instanceof GraphQLError ? error.originalError : error;
  return isDatabaseUnavailable(original ?? error) ? new ServiceUnavailableError() : null;
}
