import {
  avatarUrl,
  fullName,
  isOnline,
  loadEffectivePermissions,
  loadGroups,
  loadInvitedBy,
  loadInvitees,
  loadInviteesCount,
  parseUserId,
  timestamps,
} from "../users/user-view.ts";
import { findReadableUser, requireRequester } from "../auth/access.ts";
import { builder } from "./builder.ts";
import { GroupRef } from "./group.ts";
import { PermissionRef } from "./permission.ts";
import { UserSummaryRef } from "./user-summary.ts";

const Gender = builder.enumType("Gender", {
  values: { MALE: { value: "male" }, FEMALE: { value: "female" }, OTHER: { value: "other" } } as const,
});

export const UserRef = builder.prismaObject("User", {
  fields: (t) => ({
    id: t.exposeID("id"),
    username: t.exposeString("username"),
    mobileNumber: t.exposeString("mobileNumber", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    isEmailVerified: t.exposeBoolean("isEmailVerified"),
    avatar: t.string({ nullable: true, description: "An absolute URL.", resolve: (user, _args, ctx) => avatarUrl(ctx, user) }),
    firstName: t.exposeString("firstName", { nullable: true }),
    lastName: t.exposeString("lastName", { nullable: true }),
    fullName: t.string({ nullable: true, resolve: (user) => fullName(user) }),
    gender: t.field({ type: Gender, resolve: (user) => user.gender }),
    invitedBy: t.field({ type: UserSummaryRef, nullable: true, resolve: (user, _args, ctx) => loadInvitedBy(ctx, user) }),
    inviteCode: t.exposeString("inviteCode", { nullable: true }),
    inviteesCount: t.int({ resolve: (user, _args, ctx) => loadInviteesCount(ctx, user) }),
    isActive: t.exposeBoolean("isActive"),
    isStaff: t.exposeBoolean("isStaff"),
    isAdmin: t.exposeBoolean("isAdmin"),
    isOnline: t.boolean({ resolve: (user, _args, ctx) => isOnline(ctx, user) }),
    isProfileCompleted: t.exposeBoolean("isProfileCompleted"),
    lastLogin: t.field({ type: "DateTime", nullable: true, resolve: timestamps.lastLogin }),
    createdAt: t.field({ type: "DateTime", resolve: timestamps.createdAt }),
    updatedAt: t.field({ type: "DateTime", resolve: timestamps.updatedAt }),
    invitees: t.field({ type: [UserSummaryRef], resolve: (user, _args, ctx) => loadInvitees(ctx, user) }),
    groups: t.field({ type: [GroupRef], resolve: (user, _args, ctx) => loadGroups(ctx, user) }),
    permissions: t.field({
      type: [PermissionRef],
      description: "Effective permissions: direct ones and those of the user's groups, each once, by id.",
      resolve: (user, _args, ctx) => loadEffectivePermissions(ctx, user),
    }),
  }),
});

builder.queryFields((t) => ({
  user: t.field({
    type: UserRef,
    nullable: true,
    description: "A staff or admin user, for a requester allowed to read users; null for any other id.",
    args: { id: t.arg.id({ required: true }) },
    authScopes: { userReader: true },
    resolve: (_root, { id }, ctx) => {
      const userId = parseUserId(String(id));
      return userId === null ? null : findReadableUser(ctx, userId);
    },
  }),
  me: t.field({
    type: UserRef,
    nullable: true,
    description: "The requester itself; any authenticated user may read itself.",
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => requireRequester(ctx),
  }),
}));
