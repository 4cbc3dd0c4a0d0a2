// One way of loading and shaping a user, for both APIs: the GraphQL fields
// resolve through these functions and the REST body (src/rest/users.ts) is a
// rendering of the same values. Derived values are defined here and only here.
import type { User } from "../../generated/sqlite/prisma/client.ts";
import type { GraphQLContext } from "../context.ts";
import type { UserSummaryRow } from "../loaders.ts";
import type { Timestamp } from "../timestamps.ts";

export type UserSummary = { id: number; username: string; fullName: string | null };

/** first_name and last_name joined by one space, trimmed; null when nothing is left. */
export function fullName(user: Pick<User, "firstName" | "lastName">): string | null {
  const joined = `${user.firstName ?? ""} ${user.lastName ?? ""}`.trim();
  return joined === "" ? null : joined;
}

export function toSummary(user: UserSummaryRow): UserSummary {
  return { id: user.id, username: user.username, fullName: fullName(user) };
}

/**
 * An absolute URL as stored; a media path under the media base, quoted as
 * Django's storage quotes it (each segment percent-encoded, `/` kept).
 */
export function avatarUrl(ctx: GraphQLContext, user: Pick<User, "avatar">): string | null {
  const avatar = user.avatar;
  if (avatar === null || avatar === "") return null;
  if (/^https?:\/\//i.test(avatar)) return avatar;
  const path = avatar.replace(/^\/+/, "").split("/").map(encodeURIComponent).join("/");
  return ctx.mediaBaseUrl + path;
}

/**
 * Whether the user was seen within ONLINE_WINDOW_SECONDS of this request. The
 * requester is seen by this very request: authentication's lastSeenAt for it
 * (now, when its use is about to be recorded: src/auth/authenticate.ts) counts
 * before the use is written, whichever of the two is later.
 */
export function isOnline(ctx: GraphQLContext, user: Pick<User, "id" | "lastSeenAt">): boolean {
  const { authentication } = ctx;
  const seenByThisRequest = authentication.status === "authenticated" && authentication.requester.id === user.id ? authentication.requester.lastSeenAt : null;
  const lastSeenAt = latest(user.lastSeenAt, seenByThisRequest);
  if (!lastSeenAt) return false;
  return ctx.now.getTime() - lastSeenAt.getTime() <= ctx.config.onlineWindowSeconds * 1000;
}

const latest = (a: Date | null, b: Date | null): Date | null => (a && b ? (a > b ? a : b) : (a ?? b));

export const timestamps = {
  lastLogin: (user: User): Timestamp | null =>
    user.lastLogin && { date: user.lastLogin, micros: user.lastLoginMicros ?? 0 },
  createdAt: (user: User): Timestamp => ({ date: user.createdAt, micros: user.createdAtMicros }),
  updatedAt: (user: User): Timestamp => ({ date: user.updatedAt, micros: user.updatedAtMicros }),
};

export async function loadInvitedBy(ctx: GraphQLContext, user: User): Promise<UserSummary | null> {
  if (user.invitedById === null) return null;
  const inviter = await ctx.loaders.summaryById.load(user.invitedById);
  return inviter && toSummary(inviter);
}

export async function loadInvitees(ctx: GraphQLContext, user: User): Promise<UserSummary[]> {
  return (await ctx.loaders.inviteesByInviterId.load(user.id)).map(toSummary);
}

/** `limit` invitees after the one with id `afterId` (0: from the first), by id. */
export async function loadInviteesPage(ctx: GraphQLContext, user: User, limit: number, afterId: number): Promise<(UserSummary & { id: number })[]> {
  return (await ctx.loaders.inviteePage(limit, afterId).load(user.id)).map(toSummary);
}

export function loadInviteesCount(ctx: GraphQLContext, user: User): Promise<number> {
  return ctx.loaders.inviteesCountByInviterId.load(user.id);
}

export async function loadGroups(ctx: GraphQLContext, user: Pick<User, "id">) {
  return (await ctx.loaders.membershipsByUserId.load(user.id)).groups;
}

/** Direct permissions and those of the user's groups, each once, by id. */
export async function loadEffectivePermissions(ctx: GraphQLContext, user: Pick<User, "id">) {
  return (await ctx.loaders.membershipsByUserId.load(user.id)).permissions;
}

// Django's <int:pk> matches [0-9]+; ids past the column's range cannot exist.
const MAX_USER_ID = 2 ** 31 - 1;

/** The id a client sent, as Django's <int:pk> reads it (leading zeros allowed); null when it cannot name a user. */
export function parseUserId(text: string): number | null {
  if (!/^[0-9]+$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_USER_ID ? id : null;
}
