// The access rules of the service, in one place. The GraphQL schema applies
// them through scope-auth (src/schema/builder.ts), the REST route and the
// GraphQL `user` field (which an operation may ask many times, see
// src/schema/user.ts) through assertMayReadUsers(); none re-checks roles by
// hand.
import type { User } from "../../generated/sqlite/prisma/client.ts";
import type { GraphQLContext } from "../context.ts";
import { ForbiddenError, UnauthenticatedError } from "../errors.ts";
import type { RequesterUser } from "../loaders.ts";

/** "UserPermission": lets staff read users. */
export const USER_PERMISSION_CODE = 1222;

/**
 * An active admin, or active staff holding UserPermission (USER_PERMISSION_CODE)
 * directly or through a group, which authentication looked up with the requester.
 */
export function mayReadUsers(ctx: GraphQLContext): boolean {
  if (ctx.authentication.status !== "authenticated") return false;
  const { requester, holdsUserPermission } = ctx.authentication;
  if (!requester.isActive) return false;
  if (requester.isAdmin) return true;
  return requester.isStaff && holdsUserPermission;
}

/**
 * The user that `id` names, when it may be read at all: only staff and admins
 * can be; anyone else is answered as a user that does not exist. The caller
 * has already applied the requester rule (mayReadUsers).
 */
export async function findReadableUser(ctx: GraphQLContext, id: number): Promise<User | null> {
  const user = await ctx.loaders.userById.load(id);
  return user && (user.isStaff || user.isAdmin) ? user : null;
}

/** The error for a request the rules turn away: who is unknown gets 401, who is known gets 403. */
export function accessDeniedError(ctx: GraphQLContext): UnauthenticatedError | ForbiddenError {
  const authentication = ctx.authentication;
  if (authentication.status === "anonymous") return new UnauthenticatedError();
  if (authentication.status === "failed") return new UnauthenticatedError(authentication.detail);
  return new ForbiddenError();
}

export function requireRequester(ctx: GraphQLContext): RequesterUser {
  if (ctx.authentication.status !== "authenticated") throw accessDeniedError(ctx);
  return ctx.authentication.requester;
}

export function assertMayReadUsers(ctx: GraphQLContext): void {
  if (!mayReadUsers(ctx)) throw accessDeniedError(ctx);
}
