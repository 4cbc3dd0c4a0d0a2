// What GET /api/users/{id}/ answers, declared once: its path, its bodies as
// zod schemas, its headers, and each status with when it comes and the
// `detail` it carries. The handler (users.ts) renders with these (its body's
// type is the schema's, its messages and headers are these), and the OpenAPI
// document (openapi.ts) is generated from the same declarations, so the two
// cannot drift apart; test/openapi.test.ts drives the route to every status
// the document lists.
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { Gender } from "../../generated/sqlite/prisma/enums.ts";
import { TOKEN_KEYWORD } from "../auth/token-header.ts";
import { badRequestDetail, bodyTooLargeDetail, DRF_MESSAGES, SERVER_ERROR_DETAIL, ThrottledError } from "../errors.ts";

// Adds `.openapi()` to zod's types (component names, examples); nothing else changes.
extendZodWithOpenApi(z);

/** The route as OpenAPI writes a path: one template, the trailing slash as DRF's router writes it. */
export const USER_ROUTE_PATH = "/api/users/{id}/";

/** Django's <int:pk>: digits only, leading zeros allowed. Any other id is not this route. */
export const USER_ID_PATTERN = /^[0-9]+$/;

export const USER_ROUTE_HEADERS = { Allow: "GET, HEAD, OPTIONS", Vary: "Accept" } as const;

/** DRF's 405 detail, with the method as the client sent it. */
export const methodNotAllowedDetail = (method: string) => `Method "${method}" not allowed.`;

const timestamp = (description: string) =>
  z.string().describe(`${description} UTC, as Python's isoformat() writes it, with Z: six fractional digits, or none when the fraction is zero.`).openapi({
    format: "date-time",
    example: "2026-02-21T07:20:25.338627Z",
  });

export const userSummarySchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    full_name: z.string().nullable(),
  })
  .openapi("UserSummary", { description: "Another user, in three fields; it may name a user who could not be read itself." });

export const groupSchema = z.object({ id: z.number().int(), name: z.string() }).openapi("Group", { description: "A group the user belongs to." });

export const permissionSchema = z
  .object({ id: z.number().int(), code: z.number().int(), name: z.string() })
  .openapi("Permission", { description: "A permission: held directly or through a group." });

/** The 200 body; its keys in the order the seed page's example has them, which is the order on the wire. */
export const userBodySchema = z
  .object({
    id: z.number().int().describe("The user's id."),
    username: z.string().describe("Unique."),
    mobile_number: z.string().nullable().describe("Unique when set."),
    email: z.string().nullable().describe("Unique when set."),
    is_email_verified: z.boolean(),
    avatar: z
      .string()
      .nullable()
      .describe("Absolute URL of the avatar image: a stored URL as it is, a media path after PUBLIC_URL and MEDIA_URL; null when there is none."),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    full_name: z.string().nullable().describe("first_name and last_name joined by a space and trimmed; null when nothing is left."),
    gender: z.nativeEnum(Gender),
    // The user who invited this one. A union, not .nullable(): that (or a
    // description) would be written into the shared component itself.
    invited_by: z.union([userSummarySchema, z.null()]),
    invite_code: z.string().nullable(),
    invitees_count: z.number().int().describe("How many users this user invited, readable or not."),
    is_active: z.boolean(),
    is_staff: z.boolean(),
    is_admin: z.boolean(),
    is_online: z.boolean().describe("Whether the user made a request within ONLINE_WINDOW_SECONDS (default 300) of this one."),
    is_profile_completed: z.boolean(),
    last_login: timestamp("Last login; null for a user who never logged in.").nullable(),
    created_at: timestamp("When the user was created."),
    updated_at: timestamp("When the user was last updated."),
    invitees: z.array(userSummarySchema).describe("The users this user invited, ordered by id."),
    groups_data: z.array(groupSchema).describe("The user's groups, ordered by id."),
    permissions_data: z
      .array(permissionSchema)
      .describe("The user's effective permissions (its own and its groups'), each once, ordered by id."),
  })
  .openapi("User", { description: "A user, exactly as the Django REST Framework service rendered it." });

export type UserBody = z.infer<typeof userBodySchema>;

export const errorBodySchema = z.object({ detail: z.string() }).openapi("Error", { description: "Every error's body." });

export const optionsBodySchema = z
  .object({ name: z.string(), description: z.string(), renders: z.array(z.string()), parses: z.array(z.string()) })
  .openapi("Metadata", { description: "DRF's SimpleMetadata for a read-only view." });

/** What DRF's SimpleMetadata answers to OPTIONS; name and description are the original API page's. */
export const OPTIONS_METADATA: z.infer<typeof optionsBodySchema> = {
  name: "Retrieve User",
  description: "Retrieve a specific user by its unique ID.",
  renders: ["application/json"],
  parses: ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
};

/** A response header the route may send, for the document. */
export type HeaderDefinition = { description: string; schema: { type: "string" | "integer" }; example?: string | number };

export const RESPONSE_HEADERS = {
  Allow: { description: "The methods the route answers.", schema: { type: "string" }, example: USER_ROUTE_HEADERS.Allow },
  Vary: { description: "Always Accept (and Origin when CORS_ORIGINS is set).", schema: { type: "string" }, example: USER_ROUTE_HEADERS.Vary },
  "WWW-Authenticate": { description: "The scheme to authenticate with.", schema: { type: "string" }, example: TOKEN_KEYWORD },
  "Retry-After": { description: "Whole seconds to wait before the next request.", schema: { type: "integer" }, example: 42 },
  "X-Request-Id": { description: "The request's id: the one sent in X-Request-Id when usable, or a new UUID.", schema: { type: "string" } },
} satisfies Record<string, HeaderDefinition>;

type HeaderName = keyof typeof RESPONSE_HEADERS;
const ROUTE_ANSWER: HeaderName[] = ["Allow", "Vary", "X-Request-Id"];
// Refused before the route: the answer carries none of the route's headers.
const BEFORE_ROUTE: HeaderName[] = ["X-Request-Id"];

export type StatusDefinition = {
  description: string;
  /** The body's schema; every error's is `{detail}`. */
  body: z.ZodTypeAny;
  /** Each `detail` the status can carry, by what causes it. */
  details?: Record<string, string>;
  headers: HeaderName[];
};

/** Every status of GET (and HEAD, without the body) in DRF's order of checks. */
export const GET_STATUSES: Record<number, StatusDefinition> = {
  200: { description: "The user. HEAD answers the same status and headers with no body.", body: userBodySchema, headers: ROUTE_ANSWER },
  400: {
    description: "The Host header is not a valid host name, or ALLOWED_HOSTS is set and does not list it. Checked before anything else.",
    body: errorBodySchema,
    details: { malformedHost: badRequestDetail.malformedHost, disallowedHost: badRequestDetail.disallowedHost("evil.example") },
    headers: BEFORE_ROUTE,
  },
  401: {
    description: "No credentials (no Authorization header, or another scheme than Token), a malformed Token header, an unknown key, or an inactive user's.",
    body: errorBodySchema,
    details: {
      notAuthenticated: DRF_MESSAGES.notAuthenticated,
      noCredentials: DRF_MESSAGES.noCredentials,
      tokenWithSpaces: DRF_MESSAGES.tokenWithSpaces,
      tokenNotUtf8: DRF_MESSAGES.tokenNotUtf8,
      invalidToken: DRF_MESSAGES.invalidToken,
      inactiveUser: DRF_MESSAGES.inactiveUser,
    },
    headers: [...ROUTE_ANSWER, "WWW-Authenticate"],
  },
  403: {
    description: "An active requester who may not read users: only admins, and staff holding permission 1222 (UserPermission) directly or through a group, may.",
    body: errorBodySchema,
    details: { permissionDenied: DRF_MESSAGES.permissionDenied },
    headers: ROUTE_ANSWER,
  },
  404: {
    description:
      "No user has this id, the user is neither staff nor admin, or the id is beyond the database's integers (after authentication and permission). A path that is not this route at all (an id that is not digits) gets the same body before authentication, without Allow and Vary.",
    body: errorBodySchema,
    details: { notFound: DRF_MESSAGES.notFound },
    headers: ROUTE_ANSWER,
  },
  413: {
    description: "The request's body is larger than MAX_BODY_BYTES (100 KiB by default). Checked before the route; sent with Connection: close.",
    body: errorBodySchema,
    details: { tooLarge: bodyTooLargeDetail(102_400) },
    headers: BEFORE_ROUTE,
  },
  429: {
    description: "The requester is over THROTTLE_USER_RATE, or its address over THROTTLE_ANON_RATE.",
    body: errorBodySchema,
    details: { throttled: new ThrottledError(42).message },
    headers: [...ROUTE_ANSWER, "Retry-After"],
  },
  500: {
    description: "Never expected: a bug, which the service logs.",
    body: errorBodySchema,
    details: { serverError: SERVER_ERROR_DETAIL },
    headers: ROUTE_ANSWER,
  },
  503: {
    description: "The database cannot be reached. Retry later; no restart is needed.",
    body: errorBodySchema,
    details: { serviceUnavailable: DRF_MESSAGES.serviceUnavailable },
    headers: ROUTE_ANSWER,
  },
};

/** OPTIONS: the same checks as GET up to the throttles, then DRF's metadata; it never looks the user up. */
export const OPTIONS_STATUSES: Record<number, StatusDefinition> = {
  200: { description: "DRF's metadata for the view.", body: optionsBodySchema, headers: ROUTE_ANSWER },
  ...Object.fromEntries([400, 401, 403, 413, 429, 500, 503].map((status) => [status, GET_STATUSES[status]!])),
};

/**
 * Any other method, by a requester who may read users (authentication and
 * permission come first, with their 401 and 403). OpenAPI describes methods
 * one by one, so the document gives this in the operations' descriptions.
 */
export const OTHER_METHODS_STATUS = 405;
