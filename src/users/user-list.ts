// The users a requester may list, filtered, ordered and paged by keyset: a
// page starts where its cursor's row stands in the order, by an indexed
// comparison, never by OFFSET, so page 1,000 costs what page 1 costs. The
// SQL is what SQLite and PostgreSQL read alike, but for the two fragments
// below that differ (lowercasing and text order); test/users-connection.test.ts
// runs every filter and order on both engines against the same expectations.
import { Prisma, type User } from "../../generated/sqlite/prisma/client.ts";
import { readRows, type Database } from "../db/client.ts";
import { lowerCase } from "../db/adapter.ts";
import { holdsPermission } from "../loaders.ts";
import type { DatabaseTarget } from "../db/url.ts";
import { BadUserInputError } from "../errors.ts";
import { parseUserId } from "./user-view.ts";

export const USER_ORDER_FIELDS = ["ID", "USERNAME", "CREATED_AT", "LAST_SEEN_AT"] as const;
export type UserOrderField = (typeof USER_ORDER_FIELDS)[number];
export type OrderDirection = "ASC" | "DESC";
export type UserOrder = { field: UserOrderField; direction: OrderDirection };
export const DEFAULT_USER_ORDER: UserOrder = { field: "ID", direction: "ASC" };

export type UserFilter = {
  search?: string | null;
  isStaff?: boolean | null;
  isAdmin?: boolean | null;
  isActive?: boolean | null;
  groupId?: string | null;
  permissionCode?: number | null;
  invitedById?: string | null;
};

/** Rows per page at most; a larger `first` or `last` is refused rather than cut. */
export const MAX_PAGE_SIZE = 100;

type Engine = DatabaseTarget["engine"];

/**
 * SQLite's own lower() folds ASCII only, and PostgreSQL's follows the
 * database's locale (none at all under "C"). Both engines are made to apply
 * Unicode's default case mapping: SQLite through `gateway_lower`, a function
 * registered on each connection (src/db/adapter.ts) that is JavaScript's
 * toLowerCase, and PostgreSQL through ICU's root collation, which applies the
 * same mapping whatever the database's locale.
 */const lower = (engine: Engine, expression: Prisma.Sql) =>
  engine === "sqlite" ? Prisma.sql`gateway_lower(${expression})` : Prisma.sql`lower((${expression}) COLLATE "und-x-icu")`;

/** Text in code point order on both engines: SQLite compares bytes already; PostgreSQL would follow the locale. */
const codePointOrder = (engine: Engine, column: Prisma.Sql) => (engine === "sqlite" ? column : Prisma.sql`${column} COLLATE "C"`);

const column = (name: string) => Prisma.raw(`"User"."${name}"`);

/**
 * One key of an order: its SQL expression, and how to read a row's value of
 * it for a cursor. `nullable` keys come after a key that puts their NULLs in
 * a group of their own, so that within a group their values are all NULL or
 * none is.
 */
type SortKey = { sql: Prisma.Sql; valueOf: (user: User) => unknown; kind: "number" | "string" | "date"; nullable?: boolean };

function sortKeys(field: UserOrderField, engine: Engine): SortKey[] {
  const id: SortKey = { sql: column("id"), valueOf: (user) => user.id, kind: "number" };
  switch (field) {
    case "ID":
      return [id];
    case "USERNAME":
      return [{ sql: codePointOrder(engine, column("username")), valueOf: (user) => user.username, kind: "string" }, id];
    case "CREATED_AT":
      return [
        { sql: column("createdAt"), valueOf: (user) => user.createdAt, kind: "date" },
        { sql: column("createdAtMicros"), valueOf: (user) => user.createdAtMicros, kind: "number" },
        id,
      ];
    case "LAST_SEEN_AT":
      // Never seen counts as seen before anyone: first when ascending, last
      // when descending, on both engines (they place NULLs differently).
      return [
        { sql: Prisma.sql`CASE WHEN "User"."lastSeenAt" IS NULL THEN 0 ELSE 1 END`, valueOf: (user) => (user.lastSeenAt ? 1 : 0), kind: "number" },
        { sql: column("lastSeenAt"), valueOf: (user) => user.lastSeenAt, kind: "date", nullable: true },
        id,
      ];
  }
}

// A cursor names the order it belongs to and the row's values of its keys,
// as base64url JSON: opaque to clients, checked in full when it comes back.
const orderName = (order: UserOrder) => `${order.field}:${order.direction}`;

/** Each user's cursor in `order`: the order's keys are built once for a page, not once per edge. */
export function userCursorEncoder(order: UserOrder, engine: Engine): (user: User) => string {
  const keys = sortKeys(order.field, engine);
  const name = orderName(order);
  return (user) => {
    const values = keys.map((key) => {
      const value = key.valueOf(user);
      return value instanceof Date ? value.toISOString() : value;
    });
    return Buffer.from(JSON.stringify([name, ...values])).toString("base64url");
  };
}

/** A cursor of the id order, for lists that have no other (a user's invitees). */
export const encodeIdCursor = (id: number) => Buffer.from(JSON.stringify([orderName(DEFAULT_USER_ORDER), id])).toString("base64url");

/** The id an id-order cursor names; BadUserInputError for any other cursor. */
export function decodeIdCursor(cursor: string): number {
  return decodeUserCursor(cursor, DEFAULT_USER_ORDER, sortKeys("ID", "sqlite"))[0] as number;
}

/** GitHub's rules for page sizes: one of first and last, from 0 to MAX_PAGE_SIZE. */
export function checkPageSize({ first, last }: { first?: number | null; last?: number | null }) {
  if (first != null && last != null) throw new BadUserInputError("Pass `first` or `last` to page through users, not both.");
  for (const [name, size] of [["first", first], ["last", last]] as const) {
    if (size != null && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new BadUserInputError(`\`${name}\` must be from 0 to ${MAX_PAGE_SIZE}, got ${size}.`);
    }
  }
}

const INVALID_CURSOR = "The cursor is not one this field gave out: use a cursor from a page of the same query.";

/** The cursor's key values, typed; BadUserInputError for a cursor of another order, or one that was altered. */
function decodeUserCursor(cursor: string, order: UserOrder, keys: SortKey[]): unknown[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new BadUserInputError(INVALID_CURSOR);
  }
  if (!Array.isArray(decoded)) throw new BadUserInputError(INVALID_CURSOR);
  const [name, ...values] = decoded as unknown[];
  if (typeof name === "string" && name !== orderName(order) && /^[A-Z_]+:(ASC|DESC)$/.test(name)) {
    throw new BadUserInputError(`The cursor belongs to another order (${name}), not ${orderName(order)}: start again from the first page.`);
  }
  if (name !== orderName(order) || values.length !== keys.length) throw new BadUserInputError(INVALID_CURSOR);
  return keys.map((key, index) => {
    const value = values[index];
    if (value === null && key.nullable) return null;
    if (key.kind === "number" && Number.isSafeInteger(value)) return value;
    if (key.kind === "string" && typeof value === "string") return value;
    if (key.kind === "date" && typeof value === "string") {
      const date = new Date(value);
      if (!Number.isNaN(date.getTime()) && date.toISOString() === value) return date;
    }
    throw new BadUserInputError(INVALID_CURSOR);
  });
}

/**
 * Rows past the cursor in the order, as one condition: (k1, k2, …) after
 * (c1, c2, …) lexicographically, written out key by key because a row
 * comparison cannot skip the NULLs of a nullable key. `ascending` is the
 * direction read in: the order's own after a cursor, the reverse before one.
 */
function pastCursor(keys: SortKey[], values: unknown[], ascending: boolean): Prisma.Sql {
  const comparison = Prisma.raw(ascending ? ">" : "<");
  const condition = (index: number): Prisma.Sql => {
    const key = keys[index]!;
    const value = values[index];
    // Within the NULL group of a nullable key every row ties on it: the next key decides.
    if (value === null) return condition(index + 1);
    if (index === keys.length - 1) return Prisma.sql`${key.sql} ${comparison} ${value}`;
    return Prisma.sql`(${key.sql} ${comparison} ${value} OR (${key.sql} = ${value} AND ${condition(index + 1)}))`;
  };
  return condition(0);
}

/** A filter's ids as the column holds them; BadUserInputError for one that cannot name a row. */
function filterId(text: string, field: string): number {
  const id = parseUserId(text);
  if (id === null) throw new BadUserInputError(`filter.${field} must be a whole number id, got ${JSON.stringify(text)}.`);
  return id;
}

/** LIKE's wildcards in a search are meant literally. */
const likePattern = (text: string) => `%${lowerCase(text).replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

/**
 * The rows the requester may list (staff and admins only, as the REST
 * route's rule) that match `filter`, as one WHERE condition.
 */
function matching(filter: UserFilter, engine: Engine): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`("User"."isStaff" = ${true} OR "User"."isAdmin" = ${true})`];
  if (filter.isStaff != null) conditions.push(Prisma.sql`"User"."isStaff" = ${filter.isStaff}`);
  if (filter.isAdmin != null) conditions.push(Prisma.sql`"User"."isAdmin" = ${filter.isAdmin}`);
  if (filter.isActive != null) conditions.push(Prisma.sql`"User"."isActive" = ${filter.isActive}`);
  if (filter.invitedById != null) conditions.push(Prisma.sql`"User"."invitedById" = ${filterId(filter.invitedById, "invitedById")}`);
  if (filter.groupId != null) {
    const groupId = filterId(filter.groupId, "groupId");
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "_GroupToUser" member WHERE member."B" = "User".id AND member."A" = ${groupId})`);
  }
  if (filter.permissionCode != null) {
    conditions.push(holdsPermission(filter.permissionCode));
  }
  if (filter.search != null && filter.search !== "") {
    const pattern = likePattern(filter.search);
    const fullName = Prisma.sql`COALESCE("User"."firstName", '') || ' ' || COALESCE("User"."lastName", '')`;
    const searched = [column("username"), fullName, column("email"), column("mobileNumber")].map(
      (text) => Prisma.sql`${lower(engine, text)} LIKE ${pattern} ESCAPE '\\'`,
    );
    conditions.push(Prisma.sql`(${Prisma.join(searched, " OR ")})`);
  }
  return Prisma.join(conditions, " AND ");
}

export type UserPageRequest = {
  filter: UserFilter;
  order: UserOrder;
  /** Rows to read: the page's size plus one, which says whether there is more. */
  limit: number;
  after?: string;
  before?: string;
  /** Read from the end: `last` rows before `before`, then turned back into the order. */
  inverted: boolean;
};

/** One statement: the page's rows in the order asked (reversed when `inverted`; the caller turns them back). */
export async function findUserPage(db: Database, engine: Engine, request: UserPageRequest): Promise<User[]> {
  const keys = sortKeys(request.order.field, engine);
  const ascending = request.order.direction === "ASC";
  const conditions = [matching(request.filter, engine)];
  if (request.after) conditions.push(pastCursor(keys, decodeUserCursor(request.after, request.order, keys), ascending));
  if (request.before) conditions.push(pastCursor(keys, decodeUserCursor(request.before, request.order, keys), !ascending));
  const readForward = ascending !== request.inverted;
  const direction = Prisma.raw(readForward ? "ASC" : "DESC");
  const orderBy = Prisma.join(keys.map((key) => Prisma.sql`${key.sql} ${direction}`));
  return readRows<User>(db, Prisma.sql`SELECT "User".* FROM "User" WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY ${orderBy} LIMIT ${request.limit}`);
}

/** How many users match, for `totalCount`: the rows the requester may list, whatever the page. */
export async function countUsers(db: Database, engine: Engine, filter: UserFilter): Promise<number> {
  const rows = await readRows<{ count: number | bigint }>(db, Prisma.sql`
    SELECT CAST(COUNT(*) AS INTEGER) AS count FROM "User" WHERE ${matching(filter, engine)}`);
  return Number(rows[0]!.count);
}
