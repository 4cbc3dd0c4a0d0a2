// The REST compatibility route: GET /api/users/:id(/) answered exactly as the
// DRF RetrieveAPIView it replaces (SPEC section 4). The body renders the values
// of src/users/user-view.ts, the same ones the GraphQL fields resolve to.
import type { User } from "../../generated/sqlite/prisma/client.ts";
import { assertMayReadUsers, findReadableUser } from "../auth/access.ts";
import { TOKEN_KEYWORD } from "../auth/token-header.ts";
import { createContext, releaseContext, type ContextDependencies, type GraphQLContext } from "../context.ts";
import {
  asServiceUnavailable,
  DRF_MESSAGES,
  isClientFacingError,
  SERVER_ERROR_DETAIL,
  ThrottledError,
  UnauthenticatedError,
  type ClientFacingError,
} from "../errors.ts";
import { loggerFor } from "../http/request-log.ts";
import type { ServerContext } from "../http/request-target.ts";
import type { Logger } from "../logger.ts";
import { formatDrfTimestamp } from "../timestamps.ts";
import {
  avatarUrl,
  fullName,
  isOnline,
  loadEffectivePermissions,
  loadGroups,
  loadInvitedBy,
  loadInvitees,
  parseUserId,
  timestamps,
  type UserSummary,
} from "../users/user-view.ts";
import { jsonResponse } from "./json.ts";
import { methodNotAllowedDetail, OPTIONS_METADATA, USER_ID_PATTERN, USER_ROUTE_HEADERS, type UserBody } from "./user-route.ts";

/** `/api/users/<id>` with or without the trailing slash; null when the path is not this route's. */
export function matchUserPath(pathname: string): { idText: string } | null {
  const match = /^\/api\/users\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  let idText: string;
  try {
    idText = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  // Django's <int:pk> is [0-9]+: any other id does not match the route at all.
  return USER_ID_PATTERN.test(idText) ? { idText } : null;
}

const summaryBody = (summary: UserSummary) => ({
  id: summary.id,
  username: summary.username,
  full_name: summary.fullName,
});

/** The documented body (user-route.ts), keys in the order of the seed page's example. */
export async function renderUserBody(ctx: GraphQLContext, user: User): Promise<UserBody> {
  // invitees_count is the invitees' number: the list is read anyway, and counting it apart cost a statement.
  const [invitedBy, invitees, groups, permissions] = await Promise.all([
    loadInvitedBy(ctx, user),
    loadInvitees(ctx, user),
    loadGroups(ctx, user),
    loadEffectivePermissions(ctx, user),
  ]);
  const lastLogin = timestamps.lastLogin(user);
  return {
    id: user.id,
    username: user.username,
    mobile_number: user.mobileNumber,
    email: user.email,
    is_email_verified: user.isEmailVerified,
    avatar: avatarUrl(ctx, user),
    first_name: user.firstName,
    last_name: user.lastName,
    full_name: fullName(user),
    gender: user.gender,
    invited_by: invitedBy && summaryBody(invitedBy),
    invite_code: user.inviteCode,
    invitees_count: invitees.length,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_admin: user.isAdmin,
    is_online: isOnline(ctx, user),
    is_profile_completed: user.isProfileCompleted,
    last_login: lastLogin && formatDrfTimestamp(lastLogin),
    created_at: formatDrfTimestamp(timestamps.createdAt(user)),
    updated_at: formatDrfTimestamp(timestamps.updatedAt(user)),
    invitees: invitees.map(summaryBody),
    groups_data: groups.map((group) => ({ id: group.id, name: group.name })),
    permissions_data: permissions.map((permission) => ({
      id: permission.id,
      code: permission.code,
      name: permission.name,
    })),
  };
}

/** The headers DRF's exception handler adds: the scheme to authenticate with, or when to try again. */
function drfErrorHeaders(error: ClientFacingError): Record<string, string> {
  if (error instanceof UnauthenticatedError) return { "WWW-Authenticate": TOKEN_KEYWORD };
  if (error instanceof ThrottledError) return { "Retry-After": String(error.waitSeconds) };
  return {};
}

/** DRF's order: authentication, permission, throttles, method, lookup. */
export async function retrieveUser(
  request: Request,
  serverContext: ServerContext,
  idText: string,
  dependencies: ContextDependencies & { logger: Logger },
): Promise<Response> {
  const method = request.method.toUpperCase();
  const omitBody = method === "HEAD";
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    jsonResponse(status, body, { omitBody, headers: { ...USER_ROUTE_HEADERS, ...headers } });

  let ctx: GraphQLContext | undefined;
  try {
    const id = parseUserId(idText);
    const reads = method === "GET" || method === "HEAD";
    // The body renders the user's whole view: where a statement is a round trip, it is read in as few as can be (src/loaders.ts, expectView).
    ctx = await createContext(request, serverContext, dependencies, { wholeViewOf: reads && id !== null ? id : undefined });
    assertMayReadUsers(ctx);
    await dependencies.throttle.checkRequester(ctx);
    if (method === "OPTIONS") return answer(200, OPTIONS_METADATA);
    if (!reads) return answer(405, { detail: methodNotAllowedDetail(request.method) });
    const user = id === null ? null : await findReadableUser(ctx, id);
    if (!user) return answer(404, { detail: DRF_MESSAGES.notFound });
    return answer(200, await renderUserBody(ctx, user));
  } catch (error) {
    const known = isClientFacingError(error) ? error : asServiceUnavailable(error);
    if (!known) {
      loggerFor(request, dependencies.logger).error({ err: error }, "REST /api/users failed unexpectedly");
      return answer(500, { detail: SERVER_ERROR_DETAIL });
    }
    return answer(known.status, { detail: known.message }, drfErrorHeaders(known));
  } finally {
    if (ctx) releaseContext(ctx);
  }
}
