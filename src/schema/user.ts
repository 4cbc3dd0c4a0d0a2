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
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";
import type { User } from "../../generated/sqlite/prisma/client.ts";
import { assertMayReadUsers, findReadableUser, requireRequester } from "../auth/access.ts";
import {
  checkPageSize,
  countUsers,
  decodeIdCursor,
  DEFAULT_USER_ORDER,
  encodeIdCursor,
  findUserPage,
  MAX_PAGE_SIZE,
  USER_ORDER_FIELDS,
  userCursorEncoder,
} from "../users/user-list.ts";
import type { UserViewParts } from "../loaders.ts";
import { builder } from "./builder.ts";
import { GroupRef } from "./group.ts";
import { PermissionRef } from "./permission.ts";
import { UserSummaryConnection, UserSummaryRef } from "./user-summary.ts";

/**
 * The names of the fields a selection set asks for, through its fragments.
 * By hand: graphql-js's collectSubfields, which also weighs @skip and
 * @include, is internal to graphql 16. Here a skipped field only means that
 * a part of the view is read for nothing (viewPartsSelected), never a
 * different answer.
 */
function selectedFieldNames(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo, names = new Set<string>()): Set<string> {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) selectedFieldNames(selection.selectionSet, info, names);
    else selectedFieldNames(info.fragments[selection.name.value]?.selectionSet, info, names);
  }
  return names;
}

/**
 * Each `user` field's parts, by its first field node: a parsed document is
 * kept and reused by Yoga's parser cache, its fragments with it, so that
 * ten aliased users of a document read again walk no selection.
 */
const viewPartsByField = new WeakMap<FieldNode, UserViewParts>();

/**
 * The parts of a user's view the `user` field's selection reads, to read in
 * the user's statement where that spares round trips (loaders.expectView).
 * Not `inviteesCount` alone: a count is a cheaper statement than every
 * invitee (10,000 for the largest inviters).
 */
function viewPartsSelected(info: GraphQLResolveInfo): UserViewParts {
  let parts = viewPartsByField.get(info.fieldNodes[0]!);
  if (!parts) {
    const names = new Set<string>();
    for (const node of info.fieldNodes) selectedFieldNames(node.selectionSet, info, names);
    parts = { invitees: names.has("invitees"), memberships: names.has("groups") || names.has("permissions") };
    viewPartsByField.set(info.fieldNodes[0]!, parts);
  }
  return parts;
}

const Gender = builder.enumType("Gender", {
  description: "A user's gender, as the original service stores it.",
  values: {
    MALE: { value: "male", description: "REST: \"male\"." },
    FEMALE: { value: "female", description: "REST: \"female\"." },
    OTHER: { value: "other", description: "REST: \"other\"." },
  } as const,
});

export const UserRef = builder.prismaObject("User", {
  description: "A user of the directory, with every field of the REST route's body under its camelCase name.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The user's id, as Django stored it (REST: id)." }),
    username: t.exposeString("username", { description: "Its unique username." }),
    mobileNumber: t.exposeString("mobileNumber", { nullable: true, description: "Its mobile number, unique when set; \"\" where Django stored a blank (REST: mobile_number)." }),
    email: t.exposeString("email", { nullable: true, description: "Its email address, unique when set; \"\" where Django stored a blank." }),
    isEmailVerified: t.exposeBoolean("isEmailVerified", { description: "Whether the email address was verified." }),
    avatar: t.string({ nullable: true, description: "The avatar's absolute URL (a media path is served under PUBLIC_URL and MEDIA_URL); null when there is none.", resolve: (user, _args, ctx) => avatarUrl(ctx, user) }),
    firstName: t.exposeString("firstName", { nullable: true, description: "First name (REST: first_name)." }),
    lastName: t.exposeString("lastName", { nullable: true, description: "Last name (REST: last_name)." }),
    fullName: t.string({ nullable: true, description: "First and last name joined by a space, trimmed; null when both are empty (REST: full_name).", resolve: (user) => fullName(user) }),
    gender: t.field({ type: Gender, description: "male, female or other, as REST writes it in lower case.", resolve: (user) => user.gender }),
    invitedBy: t.field({ type: UserSummaryRef, nullable: true, description: "The user who invited this one; null when none did (REST: invited_by).", resolve: (user, _args, ctx) => loadInvitedBy(ctx, user) }),
    inviteCode: t.exposeString("inviteCode", { nullable: true, description: "The code this user invites others with (REST: invite_code)." }),
    inviteesCount: t.int({ description: "How many users this user invited (REST: invitees_count).", resolve: (user, _args, ctx) => loadInviteesCount(ctx, user) }),
    isActive: t.exposeBoolean("isActive", { description: "Whether the account is active; an inactive user's keys are refused." }),
    isStaff: t.exposeBoolean("isStaff", { description: "Whether the user is staff; staff holding UserPermission may read users." }),
    isAdmin: t.exposeBoolean("isAdmin", { description: "Whether the user is an admin; active admins may read users." }),
    isOnline: t.boolean({ description: "Whether the user was seen within ONLINE_WINDOW_SECONDS (300 by default) of this request.", resolve: (user, _args, ctx) => isOnline(ctx, user) }),
    isProfileCompleted: t.exposeBoolean("isProfileCompleted", { description: "Whether the user completed its profile." }),
    lastLogin: t.field({ type: "DateTime", nullable: true, description: "When the user last logged in to the original service; null if never.", resolve: timestamps.lastLogin }),
    createdAt: t.field({ type: "DateTime", description: "When the account was created, to the microsecond.", resolve: timestamps.createdAt }),
    updatedAt: t.field({ type: "DateTime", description: "When the account was last changed, to the microsecond.", resolve: timestamps.updatedAt }),
    invitees: t.field({
      type: [UserSummaryRef],
      description: "Every user this user invited, by id, in one list (10,000 for the largest inviters): inviteesConnection reads them by pages.",
      resolve: (user, _args, ctx) => loadInvitees(ctx, user),
    }),
    inviteesConnection: t.field({
      type: UserSummaryConnection,
      description: "The users this user invited, by id, in pages of at most 100 (20 unless first says).",
      args: {
        first: t.arg.int({ description: "How many invitees, from 0 to 100; 20 when left out." }),
        after: t.arg.string({ description: "An endCursor of an earlier page of this field: the page starts after it." }),
      },
      resolve: async (user, args, ctx) => {
        checkPageSize(args);
        const connection = await resolveCursorConnection<Promise<UserSummary[]>>(
          { args, toCursor: (invitee) => encodeIdCursor(invitee.id), defaultSize: 20, maxSize: MAX_PAGE_SIZE },
          ({ after, limit }) => loadInviteesPage(ctx, user, limit, after === undefined ? 0 : decodeIdCursor(after)),
        );
        return { ...connection, countTotal: () => loadInviteesCount(ctx, user) };
      },
    }),
    groups: t.field({ type: [GroupRef], description: "The groups the user belongs to, by id (REST: groups_data).", resolve: (user, _args, ctx) => loadGroups(ctx, user) }),
    permissions: t.field({
      type: [PermissionRef],
      description: "Effective permissions: direct ones and those of the user's groups, each once, by id.",
      resolve: (user, _args, ctx) => loadEffectivePermissions(ctx, user),
    }),
  }),
});

const UserOrderField = builder.enumType("UserOrderField", {
  description: "What a list of users is ordered by; ties are broken by id, in the same direction.",
  values: {
    ID: { description: "The user's id." },
    USERNAME: { description: "The username, by Unicode code point (upper case before lower case), the same on every database." },
    CREATED_AT: { description: "When the account was created, to the microsecond." },
    LAST_SEEN_AT: { description: "When the user was last seen; never seen counts as earliest." },
  } satisfies Record<(typeof USER_ORDER_FIELDS)[number], { description: string }>,
});

const OrderDirection = builder.enumType("OrderDirection", {
  description: "Which way an order runs.",
  values: { ASC: { description: "Smallest first." }, DESC: { description: "Largest first." } } as const,
});

const UserOrder = builder.inputType("UserOrder", {
  description: "The order of a list of users. LAST_SEEN_AT puts users never seen before everyone when ascending, after everyone when descending.",
  fields: (t) => ({
    field: t.field({ type: UserOrderField, required: true, description: "What to order by." }),
    direction: t.field({ type: OrderDirection, required: true, description: "Which way." }),
  }),
});

const UserFilter = builder.inputType("UserFilter", {
  description: "Conditions a listed user meets, all of them. Unset fields do not filter.",
  fields: (t) => ({
    search: t.string({
      description: "Part of the username, full name, email or mobile number, in any case (Unicode's case mapping, the same on every database).",
    }),
    isStaff: t.boolean({ description: "Staff users only (true), or users who are not staff (false)." }),
    isAdmin: t.boolean({ description: "Admins only (true), or users who are not admins (false)." }),
    isActive: t.boolean({ description: "Active users only (true), or inactive ones (false)." }),
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
      args: {
        filter: t.arg({ type: UserFilter, description: "Which users; all readable ones when left out." }),
        orderBy: t.arg({ type: UserOrder, description: "Their order; id ascending when left out." }),
      },
      resolve: async (_root, args, ctx) => {
        checkPageSize(args);
        const order = args.orderBy ?? DEFAULT_USER_ORDER;
        const filter = args.filter ?? {};
        const engine = ctx.config.database.engine;
        const connection = await resolveCursorConnection<Promise<User[]>>(
          { args, toCursor: userCursorEncoder(order, engine), defaultSize: 20, maxSize: MAX_PAGE_SIZE },
          async (page): Promise<User[]> => {
            const users = await findUserPage(ctx.db, engine, { filter, order, ...page });
            // The page's users are loaded: a nested field that names one reads no more.
            ctx.loaders.knownUsers(users);
            return users;
          },
        );
        // Counted only when asked for: a second statement.
        return { ...connection, countTotal: () => countUsers(ctx.db, engine, filter) };
      },
    },
    {
      name: "UserConnection",
      description: "A page of users.",
      fields: (t) => ({
        totalCount: t.int({
          description: "How many users match the filter, on every page.",
          resolve: (connection) => connection.countTotal(),
        }),
      }),
    },
    { name: "UserEdge", description: "One user of a page, with the cursor to read on after it or before it." },
  ),
  user: t.field({
    type: UserRef,
    nullable: true,
    description: "A staff or admin user, for a requester allowed to read users; null for any other id.",
    args: { id: t.arg.id({ required: true, description: "The user's id: digits, as REST's /api/users/{id}/ takes them." }) },
    // The rule checked as REST checks it, not by scope-auth: its wrapper
    // around a resolver ran once per field, ten times under ten aliased
    // users, and cost them about 15% of their requests/s (bench scenario d,
    // six alternating pairs: 766 → 905 req/s on average; a user, c: +6%).
    resolve: (_root, { id }, ctx, info) => {
      assertMayReadUsers(ctx);
      const userId = parseUserId(String(id));
      if (userId === null) return null;
      ctx.loaders.expectView(userId, viewPartsSelected(info));
      return findReadableUser(ctx, userId);
    },
  }),
  me: t.field({
    type: UserRef,
    nullable: true,
    description: "The requester itself; any authenticated user may read itself.",
    authScopes: { authenticated: true },
    // Authentication read only what the rules need (src/loaders.ts, RequesterUser): the row itself is read as any user's.
    resolve: (_root, _args, ctx) => ctx.loaders.userById.load(requireRequester(ctx).id),
  }),
}));
