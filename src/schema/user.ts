import {
  avatarUrl,
  fullName,
  isOnline,
  loadEffectivePermissions,
  loadGroups,
  loadInvitedBy,
  loadInvitees,
  loadInviteesCount,
  loadInviteesPage,
  parseUserId,
  timestamps,
  type UserSummary,
} from "../users/user-view.ts";
import { resolveCursorConnection } from "@pothos/plugin-relay";
import type { User } from "../../generated/sqlite/prisma/client.ts";
import { findReadableUser, requireRequester } from "../auth/access.ts";
import {
  checkPageSize,
  countUsers,
  decodeIdCursor,
  DEFAULT_USER_ORDER,
  encodeIdCursor,
  encodeUserCursor,
  findUserPage,
  MAX_PAGE_SIZE,
  USER_ORDER_FIELDS,
} from "../users/user-list.ts";
import { builder } from "./builder.ts";
import { GroupRef } from "./group.ts";
import { PermissionRef } from "./permission.ts";
import { UserSummaryConnection, UserSummaryRef } from "./user-summary.ts";

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
    invitees: t.field({
      type: [UserSummaryRef],
      description: "Every user this user invited, by id, in one list (10,000 for the largest inviters): inviteesConnection reads them by pages.",
      resolve: (user, _args, ctx) => loadInvitees(ctx, user),
    }),
    inviteesConnection: t.field({
      type: UserSummaryConnection,
      description: "The users this user invited, by id, in pages of at most 100 (20 unless first says).",
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (user, args, ctx) => {
        checkPageSize(args);
        const connection = await resolveCursorConnection<Promise<UserSummary[]>>(
          { args, toCursor: (invitee) => encodeIdCursor(invitee.id), defaultSize: 20, maxSize: MAX_PAGE_SIZE },
          ({ after, limit }) => loadInviteesPage(ctx, user, limit, after === undefined ? 0 : decodeIdCursor(after)),
        );
        return { ...connection, countTotal: () => loadInviteesCount(ctx, user) };
      },
    }),
    groups: t.field({ type: [GroupRef], resolve: (user, _args, ctx) => loadGroups(ctx, user) }),
    permissions: t.field({
      type: [PermissionRef],
      description: "Effective permissions: direct ones and those of the user's groups, each once, by id.",
      resolve: (user, _args, ctx) => loadEffectivePermissions(ctx, user),
    }),
  }),
});

const UserOrderField = builder.enumType("UserOrderField", {
  description: "What a list of users is ordered by; ties are broken by id, in the same direction.",
  values: USER_ORDER_FIELDS,
});

const OrderDirection = builder.enumType("OrderDirection", { values: ["ASC", "DESC"] as const });

const UserOrder = builder.inputType("UserOrder", {
  description: "The order of a list of users. LAST_SEEN_AT puts users never seen before everyone when ascending, after everyone when descending.",
  fields: (t) => ({
    field: t.field({ type: UserOrderField, required: true }),
    direction: t.field({ type: OrderDirection, required: true }),
  }),
});

const UserFilter = builder.inputType("UserFilter", {
  description: "Conditions a listed user meets, all of them. Unset fields do not filter.",
  fields: (t) => ({
    search: t.string({
      description: "Part of the username, full name, email or mobile number, in any case (Unicode's case mapping, the same on every database).",
    }),
    isStaff: t.boolean(),
    isAdmin: t.boolean(),
    isActive: t.boolean(),
    groupId: t.id({ description: "Members of this group." }),
    permissionCode: t.int({ description: "Users holding this permission, directly or through a group." }),
    invitedById: t.id({ description: "Users this user invited." }),
  }),
});

builder.queryFields((t) => ({
  users: t.connection(
    {
      type: UserRef,
      description:
        "The staff and admin users, for a requester allowed to read users, by pages of at most 100 (20 when neither first nor last is given). Cursors are opaque and belong to one order.",
      authScopes: { userReader: true },
      args: { filter: t.arg({ type: UserFilter }), orderBy: t.arg({ type: UserOrder }) },
      resolve: async (_root, args, ctx) => {
        checkPageSize(args);
        const order = args.orderBy ?? DEFAULT_USER_ORDER;
        const filter = args.filter ?? {};
        const engine = ctx.config.database.engine;
        const connection = await resolveCursorConnection<Promise<User[]>>(
          { args, toCursor: (user) => encodeUserCursor(order, user, engine), defaultSize: 20, maxSize: MAX_PAGE_SIZE },
          async (page): Promise<User[]> => {
            const users = await findUserPage(ctx.db, engine, { filter, order, ...page });
            // The page's users are loaded: a nested field that names one reads no more.
            for (const user of users) ctx.loaders.userById.prime(user.id, user);
            return users;
          },
        );
        // Counted only when asked for: a second statement.
        return { ...connection, countTotal: () => countUsers(ctx.db, engine, filter) };
      },
    },
    {
      name: "UserConnection",
      fields: (t) => ({
        totalCount: t.int({
          description: "How many users match the filter, on every page.",
          resolve: (connection) => connection.countTotal(),
        }),
      }),
    },
    { name: "UserEdge" },
  ),
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
