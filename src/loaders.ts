// Per-request DataLoaders, and the reads they batch. createContext() makes a
// fresh set for every request and nothing keeps them afterwards: their caches
// hold what one requester may see, at one moment, and must not outlive the
// request. They are emptied as soon as its answer is built (releaseLoaders,
// below).
//
// Each loader turns the keys collected during one tick into one statement
// with `IN`, so a query's statement count depends on how deep it nests, never
// on how many users or list items it touches.
//
// The reads are SQL written here, not Prisma queries: under Prisma 6 each ORM
// call costs about a millisecond of query compilation and interpretation, a
// parameterized statement through `$queryRaw` a quarter of that: the REST
// route went from 233 to 894 requests/s, CPU from 4.6 to 1.2 ms per request
// (npm run bench, scenario a, one run). Writes stay with the ORM, but for the
// batched use writes (src/auth/use-recorder.ts) and the import's bulk
// inserts (src/fixtures/import-fixture.ts). The SQL is what SQLite and
// PostgreSQL read alike (quoted identifiers, `IN` lists, `UNION`, `CAST`);
// rows come back typed by the driver adapter from the columns' declared types,
// as the ORM's do, and test/loaders.test.ts checks each loader against the
// ORM query it replaced, on both engines. Each statement's text is made once
// (src/db/sql-template.ts): a REST retrieve, bench scenario a, allocated
// 69.6 KB a request before and 64.9 after, and promoted 140 bytes a request
// into the old generation before and none after (the statement cache's Map,
// old, kept each request's new text as its key).
import DataLoader from "dataloader";
import { USER_PERMISSION_CODE } from "./auth/access.ts";
import { readRows, statementsAreRoundTrips, type Database } from "./db/client.ts";
import { idList } from "./db/id-list.ts";
import { sqlTemplate } from "./db/sql-template.ts";
import type { GrantsByGroup, GroupPermissionsCache } from "./group-permissions-cache.ts";
import { Prisma, type Group, type Permission, type User } from "../generated/sqlite/prisma/client.ts";

export type Memberships = { groups: Group[]; permissions: Permission[] };

export type UserSummaryRow = Pick<User, "id" | "username" | "firstName" | "lastName">;

/**
 * What the access rules and the use recorder ask of a requester, and no more:
 * a requester's whole row (26 columns) was read and converted on every
 * requester cache miss, when only these five are ever used (the floor server
 * of the bench reads the same five). `me` reads the whole row like any user.
 */
export type RequesterUser = Pick<User, "id" | "isActive" | "isStaff" | "isAdmin" | "lastSeenAt">;

export type Requester = { user: RequesterUser; holdsUserPermission: boolean; token: { id: number; lastUsedAt: Date | null; expiresAt: Date | null } };

/**
 * Whether the "User" row of the query holds the permission with `code`
 * directly or through one of its groups: the effective permissions of
 * membershipsByUserId, as one SQL condition (the access rule and the users
 * list's permissionCode filter both ask it).
 */
export function holdsPermission(code: number): Prisma.Sql {
  return Prisma.sql`(EXISTS (
        SELECT 1 FROM "_PermissionToUser" direct JOIN "Permission" ON "Permission".id = direct."A"
        WHERE direct."B" = "User".id AND "Permission".code = ${code}
      ) OR EXISTS (
        SELECT 1 FROM "_GroupToUser" member
        JOIN "_GroupToPermission" granted ON granted."A" = member."A"
        JOIN "Permission" ON "Permission".id = granted."B"
        WHERE member."B" = "User".id AND "Permission".code = ${code}
      ))`;
}

/**
 * A user the request will read next, to read in the requester's statement
 * (findRequesterByKeyHash) and prime into the request's loaders, when that
 * statement is sent at all: the REST route reads its target this way when
 * its requester is not kept (src/auth/requester-cache.ts), a statement fewer
 * (loaders.expectView hands it out). With a random token per request
 * (bench scenario b) on PostgreSQL, where each statement is a round trip:
 * 4.3 statements per request instead of 5.0, 4–7% more requests/s. Not on
 * SQLite, where a statement is a call into the process: there the joined
 * statement, and copying the target out of its wider row, cost more than
 * the statement it spared (scenario b, server CPU per request, three
 * alternating pairs: 188–197 µs with it, 176–181 without).
 */
export type UserAlongside = { userId: number; loaders: Loaders };

/** Where each of a user's columns is found in a row: [column, name in the row]. */
type UserColumnNames = readonly (readonly [keyof User, string])[];

/** The columns of a user's summary (UserSummaryRow), id first. */
const SUMMARY_COLUMNS = ["id", "username", "firstName", "lastName"] as const satisfies readonly (keyof UserSummaryRow)[];

/** A whole user's summary, as summaryById reads it. */
const summaryOf = ({ id, username, firstName, lastName }: User): UserSummaryRow => ({ id, username, firstName, lastName });

/** Every column of "User", id first (userOfRow reads it to tell a user from none). */
const USER_COLUMNS = ["id", ...Object.values(Prisma.UserScalarFieldEnum).filter((column) => column !== "id")] as const;

/**
 * A user's columns as read from the table `alias` of a statement, each named
 * `<alias>.<column>` so that they sit beside another user's in one row. The
 * names are made once: built again for each row, they made copying the user
 * out of it 4.4 µs instead of 0.85 (scratch timing of the two copies).
 */
function aliasedUserColumns(alias: string, columns: readonly (keyof User)[] = USER_COLUMNS): { names: UserColumnNames; sql: Prisma.Sql } {
  const names = columns.map((column) => [column, `${alias}.${column}`] as const);
  return { names, sql: Prisma.raw(names.map(([column, name]) => `"${alias}"."${column}" AS "${name}"`).join(", ")) };
}

/** The user (or the part of it) whose columns `names` finds in `row`, as `SELECT` gives it; null when a LEFT JOIN found none. */
function userOfRow<Row = User>(row: Record<string, unknown>, names: UserColumnNames): Row | null {
  if (row[names[0]![1]] === null) return null;
  const user: Record<string, unknown> = {};
  for (const [column, name] of names) user[column] = row[name];
  return user as Row;
}

const OWN_COLUMNS: UserColumnNames = USER_COLUMNS.map((column) => [column, column] as const);
const TARGET = aliasedUserColumns("target");

/**
 * What a statement that reads the user of table `userAlias` adds to read, in
 * the same statement, what the request reads of that user next (its columns,
 * its joins), and how that is primed into the request's loaders as they
 * would have loaded it. Only where a statement is a round trip
 * (PostgreSQL): on SQLite, where a statement is a call into the process, the
 * joins cost more than the statements they spare (below), so there a user is
 * read alone (NOTHING_MORE).
 */
type ReadAlongside = { columns: Prisma.Sql; join: Prisma.Sql; prime(loaders: Loaders, user: User, row: Record<string, unknown>): void };

const NOTHING_MORE: ReadAlongside = { columns: Prisma.empty, join: Prisma.empty, prime: () => {} };

/**
 * The user's inviter's summary (LEFT JOIN, as table `alias`), for
 * summaryById: the REST body and GraphQL's `invitedBy` name it next. On
 * PostgreSQL that spares a statement and a round trip after the user's
 * (REST: 3 statements instead of 4; npm run bench --engine postgres, a, back
 * to back: 2,312 -> 2,678 requests/s). On SQLite the join cost more than the
 * statement it spares (REST, alternating pairs: 5,595 -> 5,345 requests/s).
 */
function inviterAlongside(userAlias: string, alias: string): ReadAlongside {
  const { names, sql } = aliasedUserColumns(alias, SUMMARY_COLUMNS);
  return {
    columns: Prisma.sql`, ${sql}`,
    join: Prisma.raw(` LEFT JOIN "User" AS "${alias}" ON "${alias}".id = "${userAlias}"."invitedById"`),
    prime: (loaders, user, row) => {
      if (user.invitedById != null) loaders.summaryById.prime(user.invitedById, userOfRow<UserSummaryRow>(row, names));
    },
  };
}

/**
 * What a request reads of a user after the user itself, where it can say so
 * before it loads the user (loaders.expectView): REST renders all of it
 * (WHOLE_VIEW); a GraphQL `user` what its selection names. The inviter is
 * read alongside anyway (inviterAlongside).
 */
export type UserViewParts = { invitees: boolean; memberships: boolean };

export const WHOLE_VIEW: UserViewParts = { invitees: true, memberships: true };
const NO_MORE_OF_THE_VIEW: UserViewParts = { invitees: false, memberships: false };

/** The parts either of `first` and `second` names: what a user expected twice, or a batch of users, reads. */
const eitherParts = (first: UserViewParts, second: UserViewParts): UserViewParts => ({
  invitees: first.invitees || second.invitees,
  memberships: first.memberships || second.memberships,
});

/**
 * A part of a user's view as one column of JSON text: the rows `rows` reads
 * for the user of table `userAlias` (the statement of its loader, for that
 * one user), primed into that loader. On PostgreSQL each was a round trip
 * after the user's: a REST retrieve (bench scenario a, --engine postgres)
 * read with its user's statement its invitees and memberships too, in one
 * statement instead of three, and took 0.36 ms of CPU a request instead of
 * 0.59, p99 37 ms instead of 57.
 */
function partAlongside<Row>(userAlias: string, part: keyof UserViewParts, rows: (userId: Prisma.Sql) => Prisma.Sql, order: string, prime: (loaders: Loaders, userId: number, rows: Row[]) => void): ReadAlongside {
  const name = `${userAlias}.${part}`;
  return {
    // json_agg is PostgreSQL's; its JSON is read as text, which readRows() reads as any text.
    columns: Prisma.sql`, (SELECT CAST(COALESCE(json_agg(row${Prisma.raw(order)}), '[]') AS TEXT) FROM (${rows(Prisma.raw(`"${userAlias}".id`))}) AS row) AS "${Prisma.raw(name)}"`,
    join: Prisma.empty,
    prime: (loaders, user, row) => prime(loaders, user.id, JSON.parse(row[name] as string) as Row[]),
  };
}

const inviteesAlongside = (userAlias: string) =>
  partAlongside<InviteeRow>(userAlias, "invitees", inviteesOf, " ORDER BY row.id", (loaders, userId, rows) => loaders.inviteesByInviterId.prime(userId, rows));

/** With `granted` false, the groups' grants are the request's (loaders.groupGrants), as membershipsByUserId reads them. */
const membershipsAlongside = (userAlias: string, granted: boolean) =>
  partAlongside<MembershipRow>(userAlias, "memberships", (userId) => membershipRowsOf(userId, granted), "", (loaders, userId, rows) =>
    loaders.membershipsByUserId.prime(userId, membershipsOf([userId], rows, granted ? undefined : loaders.readGroupGrants())[0]!),
  );

function combined(reads: ReadAlongside[]): ReadAlongside {
  return {
    columns: Prisma.join(reads.map((read) => read.columns), ""),
    join: Prisma.join(reads.map((read) => read.join), ""),
    prime: (loaders, user, row) => {
      for (const read of reads) read.prime(loaders, user, row);
    },
  };
}

/**
 * What may be read alongside a user of table `userAlias`: nothing (SQLite),
 * or its inviter and the parts of its view asked for, its memberships with
 * their groups' grants or without them (when the request has them), each
 * combination made once.
 */
function readsAlongside(userAlias: string, inviterAlias: string) {
  const inviter = inviterAlongside(userAlias, inviterAlias);
  const invitees = inviteesAlongside(userAlias);
  const [memberships, ownMemberships] = [membershipsAlongside(userAlias, true), membershipsAlongside(userAlias, false)];
  const key = (parts: UserViewParts, grantsKnown: boolean) => Number(parts.invitees) * 3 + (parts.memberships ? 1 + Number(grantsKnown) : 0);
  const withParts: ReadAlongside[] = [];
  for (const parts of [NO_MORE_OF_THE_VIEW, { invitees: false, memberships: true }, { invitees: true, memberships: false }, WHOLE_VIEW]) {
    for (const grantsKnown of [false, true]) {
      const membershipsRead = parts.memberships ? [grantsKnown ? ownMemberships : memberships] : [];
      withParts[key(parts, grantsKnown)] = combined([inviter, ...(parts.invitees ? [invitees] : []), ...membershipsRead]);
    }
  }
  return {
    nothing: NOTHING_MORE,
    every: [NOTHING_MORE, ...withParts],
    forParts: (parts: UserViewParts, grantsKnown: boolean) => withParts[key(parts, grantsKnown)]!,
  };
}

const ALONGSIDE_USER = readsAlongside("User", "inviter");
const ALONGSIDE_TARGET = readsAlongside("target", "targetInviter");

/**
 * Which of `reads` to read with a user: on PostgreSQL its inviter, and the
 * parts of its view the request expects; its memberships without their
 * groups' grants when the request has them (loaders.groupGrants).
 */
async function readAlongside(
  db: Database,
  reads: ReturnType<typeof readsAlongside>,
  groupGrants: () => Promise<GrantsByGroup | null>,
  parts: UserViewParts = NO_MORE_OF_THE_VIEW,
): Promise<ReadAlongside> {
  if (!statementsAreRoundTrips(db)) return reads.nothing;
  return reads.forParts(parts, parts.memberships && (await groupGrants()) !== null);
}

/**
 * The requester's statement (findRequesterByKeyHash), reading the user
 * alongside with `alongside` (null: no user), each statement made once
 * (src/db/sql-template.ts).
 */
function requesterTemplate(alongside: ReadAlongside | null) {
  return sqlTemplate((parameters: { keyHash: string; now: Date; userId: number | null }) => Prisma.sql`
    SELECT "User".id, "User"."isActive", "User"."isStaff", "User"."isAdmin", "User"."lastSeenAt", CASE WHEN ${holdsPermission(USER_PERMISSION_CODE)} THEN 1 ELSE 0 END AS "holdsUserPermission",
      "ApiToken".id AS "tokenId", "ApiToken"."lastUsedAt" AS "tokenLastUsedAt", "ApiToken"."expiresAt" AS "tokenExpiresAt"${alongside ? Prisma.sql`, ${TARGET.sql}${alongside.columns}` : Prisma.empty}
    FROM "ApiToken" JOIN "User" ON "User".id = "ApiToken"."userId"${
      alongside ? Prisma.sql` LEFT JOIN "User" AS target ON target.id = ${parameters.userId}${alongside.join}` : Prisma.empty
    }
    WHERE "ApiToken"."keyHash" = ${parameters.keyHash} AND ("ApiToken"."expiresAt" IS NULL OR "ApiToken"."expiresAt" > ${parameters.now})`);
}

const REQUESTER_ALONE = requesterTemplate(null);
const REQUESTER_WITH_USER = new Map(ALONGSIDE_TARGET.every.map((read) => [read, requesterTemplate(read)]));

/**
 * The user that holds the token whose key hashes to `keyHash` (by the unique
 * index), unless the token expired by `now`, and whether it holds
 * UserPermission directly or through a group: the one fact about a staff
 * requester that the access rules ask, in the same statement rather than two
 * more. The membership joins are those of membershipsByUserId below;
 * test/loaders.test.ts checks the two agree. With `alongside`, the same
 * statement reads that user too (and on PostgreSQL what userById reads with
 * it: ReadAlongside), primed as userById would have loaded it (null when
 * there is no such user); not when no token is found.
 */
export async function findRequesterByKeyHash(db: Database, keyHash: string, now: Date, alongside?: UserAlongside): Promise<Requester | null> {
  type Row = RequesterUser & { holdsUserPermission: boolean | number; tokenId: number; tokenLastUsedAt: Date | null; tokenExpiresAt: Date | null };
  const read = alongside && (await readAlongside(db, ALONGSIDE_TARGET, alongside.loaders.groupGrants, alongside.loaders.expectedView(alongside.userId)));
  const template = read ? REQUESTER_WITH_USER.get(read)! : REQUESTER_ALONE;
  const rows = await readRows<Row & Record<string, unknown>>(db, template({ keyHash, now, userId: alongside?.userId ?? null }));
  const row = rows[0];
  if (!row) return null;
  if (alongside && read) {
    const target = userOfRow(row, TARGET.names);
    alongside.loaders.userById.prime(alongside.userId, target);
    if (target) read.prime(alongside.loaders, target, row);
  }
  // 1 or 0: an integer on both engines, whatever their boolean type.
  return {
    user: { id: row.id, isActive: row.isActive, isStaff: row.isStaff, isAdmin: row.isAdmin, lastSeenAt: row.lastSeenAt },
    holdsUserPermission: Number(row.holdsUserPermission) === 1,
    token: { id: row.tokenId, lastUsedAt: row.tokenLastUsedAt, expiresAt: row.tokenExpiresAt },
  };
}

function groupRows<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((key) => byKey.get(key)!);
}

const INVITEE_PAGE = sqlTemplate((parameters: { inviterIds: readonly number[]; limit: number; afterId: number }) => Prisma.sql`
  SELECT id, username, "firstName", "lastName", "invitedById" FROM (
    SELECT id, username, "firstName", "lastName", "invitedById",
      ROW_NUMBER() OVER (PARTITION BY "invitedById" ORDER BY id) AS position
    FROM "User" WHERE "invitedById" IN (${idList(parameters.inviterIds)}) AND id > ${parameters.afterId}
  ) AS page WHERE position <= ${parameters.limit} ORDER BY id`);

/**
 * One page of each inviter's invitees, by id: up to `limit` after `afterId`.
 * A loader per page asked for, so that every user of a list asking for the
 * same page of its invitees shares one statement.
 */
function inviteePageLoaders(db: Database) {
  const loaders = new Map<string, DataLoader<number, UserSummaryRow[]>>();
  const loaderFor = (limit: number, afterId: number) => {
    const key = `${limit}:${afterId}`;
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<number, UserSummaryRow[]>(async (inviterIds) => {
        const rows = await readRows<UserSummaryRow & { invitedById: number }>(db, INVITEE_PAGE({ inviterIds, limit, afterId }));
        return groupRows(inviterIds, rows, (row) => row.invitedById);
      });
      loaders.set(key, loader);
    }
    return loader;
  };
  return Object.assign(loaderFor, { release: () => loaders.clear() });
}

/** A DataLoader that remembers which keys it was asked for in its request. */
class RecordingLoader<K, V> extends DataLoader<K, V> {
  readonly asked = new Set<K>();
  override load(key: K): Promise<V> {
    this.asked.add(key);
    return super.load(key);
  }
}

type InviteeRow = UserSummaryRow & { invitedById: number };

/**
 * The invitees of the inviters whose ids `inviterIds` lists (an `IN` list's
 * contents), each inviter's by id. Ordered by inviter first, the order of
 * the invitedById index (and its row ids), so that SQLite reads them in
 * order rather than sorting them (ten inviters, scratch timing: 37 → 31 µs).
 * The table is named apart so that `inviterIds` may name the "User" of a
 * statement around it (partAlongside).
 */
function inviteesOf(inviterIds: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT id, username, "firstName", "lastName", "invitedById" FROM "User" AS invitee
    WHERE "invitedById" IN (${inviterIds}) ORDER BY "invitedById", id`;
}

const INVITEES = sqlTemplate((parameters: { inviterIds: readonly number[] }) => inviteesOf(idList(parameters.inviterIds)));

const usersByIdTemplate = (alongside: ReadAlongside) =>
  sqlTemplate((parameters: { ids: readonly number[] }) => Prisma.sql`
    SELECT "User".*${alongside.columns} FROM "User"${alongside.join} WHERE "User".id IN (${idList(parameters.ids)})`);
const USERS_BY_ID = new Map(ALONGSIDE_USER.every.map((read) => [read, usersByIdTemplate(read)]));

const SUMMARIES_BY_ID = sqlTemplate((parameters: { ids: readonly number[] }) => Prisma.sql`
  SELECT ${Prisma.raw(SUMMARY_COLUMNS.map((column) => `"${column}"`).join(", "))} FROM "User" WHERE id IN (${idList(parameters.ids)})`);

const INVITEE_COUNTS = sqlTemplate((parameters: { inviterIds: readonly number[] }) => Prisma.sql`
  SELECT "invitedById", CAST(COUNT(*) AS INTEGER) AS count FROM "User"
  WHERE "invitedById" IN (${idList(parameters.inviterIds)}) GROUP BY "invitedById"`);

// Numbers may come back as BigInt: a column of UNIONed expressions has no declared type for SQLite's adapter to read.
// ownerId: a user's for 'group' and 'direct', a group's for 'granted'.
type MembershipRow = { kind: "group" | "direct" | "granted"; ownerId: number | bigint; id: number | bigint; name: string; code: number | bigint | null };

/**
 * The membership rows of the users whose ids `ids` lists (an `IN` list's
 * contents); with `granted`, the permissions their groups grant too, which
 * are otherwise known (src/group-permissions-cache.ts).
 */
function membershipRowsOf(ids: Prisma.Sql, granted = true): Prisma.Sql {
  const own = Prisma.sql`
    SELECT 'group' AS kind, "_GroupToUser"."B" AS "ownerId", "Group".id, "Group".name, CAST(NULL AS INTEGER) AS code
    FROM "_GroupToUser" JOIN "Group" ON "Group".id = "_GroupToUser"."A"
    WHERE "_GroupToUser"."B" IN (${ids})
    UNION ALL
    SELECT 'direct', direct."B", "Permission".id, "Permission".name, "Permission".code
    FROM "_PermissionToUser" direct JOIN "Permission" ON "Permission".id = direct."A"
    WHERE direct."B" IN (${ids})`;
  return granted
    ? Prisma.sql`${own}
    UNION ALL
    SELECT 'granted', granted."A", "Permission".id, "Permission".name, "Permission".code
    FROM "_GroupToPermission" granted JOIN "Permission" ON "Permission".id = granted."B"
    WHERE granted."A" IN (SELECT "A" FROM "_GroupToUser" WHERE "B" IN (${ids}))`
    : own;
}

const MEMBERSHIPS = sqlTemplate((parameters: { userIds: readonly number[] }) => membershipRowsOf(idList(parameters.userIds)));
const MEMBERSHIPS_WITHOUT_GRANTS = sqlTemplate((parameters: { userIds: readonly number[] }) => membershipRowsOf(idList(parameters.userIds), false));

/**
 * Each user's groups and effective permissions from its membership rows: a
 * group's permissions come once per group, not once per member, and are
 * merged here. The statement had done it per member, with UNION and its sort:
 * the loader took 150 µs for ten users of the bench's data set, 590 for
 * fifty; now 101 and 323 (scratch timing, both in one process, alternating).
 * `grants` are the groups' permissions when the rows hold none
 * (MEMBERSHIPS_WITHOUT_GRANTS).
 */
function membershipsOf(userIds: readonly number[], rows: readonly MembershipRow[], grants?: GrantsByGroup): Memberships[] {
  const byUser = new Map<number, { groups: Group[]; permissions: Map<number, Permission> }>(
    userIds.map((id) => [id, { groups: [], permissions: new Map() }]),
  );
  const readRowGrants = new Map<number, Permission[]>();
  const grantedByGroup: GrantsByGroup = grants ?? readRowGrants;
  for (const { kind, ownerId, id, name, code } of rows) {
    const owner = Number(ownerId);
    if (kind === "group") byUser.get(owner)!.groups.push({ id: Number(id), name });
    else if (kind === "direct") byUser.get(owner)!.permissions.set(Number(id), { id: Number(id), code: Number(code), name });
    else {
      const granted = readRowGrants.get(owner) ?? [];
      granted.push({ id: Number(id), code: Number(code), name });
      readRowGrants.set(owner, granted);
    }
  }
  const byId = (x: { id: number }, y: { id: number }) => x.id - y.id;
  return userIds.map((userId) => {
    const { groups, permissions } = byUser.get(userId)!;
    for (const group of groups) for (const permission of grantedByGroup.get(group.id) ?? []) permissions.set(permission.id, permission);
    return { groups: groups.sort(byId), permissions: [...permissions.values()].sort(byId) };
  });
}

/**
 * The loaders of one request. `groupPermissions`: the groups' permissions
 * kept between requests (src/group-permissions-cache.ts); without it, or
 * while it keeps none, each memberships statement reads them.
 */
export function createLoaders(db: Database, groupPermissions?: GroupPermissionsCache) {
  const inviteesByInviterId = new RecordingLoader<number, UserSummaryRow[]>(async (inviterIds) => {
    const rows = await readRows<InviteeRow>(db, INVITEES({ inviterIds }));
    return groupRows(inviterIds, rows, (row) => row.invitedById);
  });

  const expectedViews = new Map<number, UserViewParts>();
  let requestGrants: Promise<GrantsByGroup | null> | undefined;
  let readGrants: GrantsByGroup | null = null;
  const groupGrants = (): Promise<GrantsByGroup | null> =>
    (requestGrants ??= Promise.resolve(groupPermissions?.current() ?? null).then((grants) => (readGrants = grants)));
  const userById: DataLoader<number, User | null> = new DataLoader(async (ids) => {
    // The parts of the view any user of the batch expects are read for each (REST asks for one user, GraphQL's aliases alike).
    const parts = ids.reduce((union, id) => eitherParts(union, expectedViews.get(id) ?? NO_MORE_OF_THE_VIEW), NO_MORE_OF_THE_VIEW);
    const read = await readAlongside(db, ALONGSIDE_USER, groupGrants, parts);
    const rows = await readRows<Record<string, unknown>>(db, USERS_BY_ID.get(read)!({ ids }));
    const byId = new Map<number, User>();
    for (const row of rows) {
      // Without columns read alongside, the row is the user.
      const user = read === NOTHING_MORE ? (row as User) : userOfRow(row, OWN_COLUMNS)!;
      byId.set(user.id, user);
      loaders.summaryById.prime(user.id, summaryOf(user));
      read.prime(loaders, user, row);
    }
    return ids.map((id) => byId.get(id) ?? null);
  });

  const loaders = {
    /**
     * Says, before the request loads user `userId`, which parts of its view
     * it reads next (REST: WHOLE_VIEW): where statements are round trips,
     * the user's statement then reads them alongside (partAlongside), and so
     * does the requester's when it reads that user (UserAlongside). Returns
     * what to hand findRequesterByKeyHash for that, or undefined where a user
     * is best read alone (SQLite).
     */
    expectView(userId: number, parts: UserViewParts): UserAlongside | undefined {
      expectedViews.set(userId, eitherParts(expectedViews.get(userId) ?? NO_MORE_OF_THE_VIEW, parts));
      return statementsAreRoundTrips(db) ? { userId, loaders } : undefined;
    },

    expectedView: (userId: number): UserViewParts | undefined => expectedViews.get(userId),

    /** Users the request read whole by other means (a page of users): userById and summaryById answer them without a statement. */
    knownUsers(users: readonly User[]): void {
      for (const user of users) {
        userById.prime(user.id, user);
        loaders.summaryById.prime(user.id, summaryOf(user));
      }
    },

    inviteePage: inviteePageLoaders(db),

    /** A missing id answers null rather than an Error: "no such user" is an ordinary answer here. */
    userById,

    /**
     * A user's summary (id, username and names), for what names a user
     * without showing it: an inviter (REST's invited_by, GraphQL's
     * invitedBy). Read apart from userById, whose whole rows (22 columns)
     * were read and copied for every inviter, on PostgreSQL in the users'
     * own statement: a REST retrieve there (bench scenario a, --engine
     * postgres, alternating with the commit before) took 0.24–0.26 ms of CPU
     * a request instead of 0.29, ten aliased users (d) 1.46–1.53 instead of
     * 1.61–1.75. A user the request has whole (userById, knownUsers) is its
     * own summary.
     */
    summaryById: new DataLoader<number, UserSummaryRow | null>(async (ids) => {
      const byId = new Map((await readRows<UserSummaryRow>(db, SUMMARIES_BY_ID({ ids }))).map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    inviteesByInviterId,

    // Counted apart from the invitees themselves so that asking for the
    // number does not load every invitee row; but a user whose invitees the
    // request loads anyway (GraphQL's `invitees` beside `inviteesCount`,
    // asked in the same tick, before this batch runs) is counted from them,
    // as REST counts: a statement fewer (the one-user GraphQL query, 6 → 5).
    inviteesCountByInviterId: new DataLoader<number, number>(async (inviterIds) => {
      const toCount = inviterIds.filter((id) => !inviteesByInviterId.asked.has(id));
      const counts =
        toCount.length === 0
          ? []
          : await readRows<{ invitedById: number; count: number }>(db, INVITEE_COUNTS({ inviterIds: toCount }));
      const byId = new Map(counts.map((row) => [row.invitedById, Number(row.count)]));
      return Promise.all(
        inviterIds.map(async (id) => (inviteesByInviterId.asked.has(id) ? (await inviteesByInviterId.load(id)).length : byId.get(id) ?? 0)),
      );
    }),

    /**
     * A user's groups and its effective permissions (direct ones and those of
     * its groups, each once), both by id: loaded together, as a user view
     * usually wants both, in one statement whose rows say which they are
     * (two statements cost REST a seventh of its requests/s), merged by
     * membershipsOf. (Implicit many-to-many tables: "A" and "B" are the ids of the two
     * models in alphabetical order.)
     */
    membershipsByUserId: new DataLoader<number, Memberships>(async (userIds) => {
      const grants = (await groupGrants()) ?? undefined;
      const rows = await readRows<MembershipRow>(db, (grants ? MEMBERSHIPS_WITHOUT_GRANTS : MEMBERSHIPS)({ userIds }));
      return membershipsOf(userIds, rows, grants);
    }),

    /**
     * The groups' grants this request reads memberships with, taken once, so
     * that all of its memberships agree; null: its statements read them.
     */
    groupGrants,

    /** What groupGrants() gave, for a statement chosen after it (readAlongside). */
    readGroupGrants(): GrantsByGroup {
      if (!readGrants) throw new Error("memberships were read without their grants before the request had them (loaders.groupGrants)");
      return readGrants;
    },
  };
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Lets go of what a request's loaders hold, once its answer is built: the
 * rows they read and the promises of them. Nothing else reads them after
 * that, but objects of the request that lived long enough to reach V8's old
 * generation (its Request, its context: a request waits its turn among
 * fifty connections for a few hundred milliseconds) still point at them
 * until the next full collection, and V8's young collections keep alive and
 * then promote whatever an old object points at, dead or not. Under a page
 * of 50 users (bench scenario f) that promoted about 390 KB a request;
 * released, 240 (scratch, --trace-gc-nvp).
 */
export function releaseLoaders(loaders: Loaders): void {
  for (const loader of Object.values(loaders)) {
    if (loader instanceof DataLoader) loader.clearAll();
  }
  loaders.inviteePage.release();
}
