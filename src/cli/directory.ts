// The CLI's directory commands: users, groups and permissions, and who holds
// what. Writes go through the ORM, in one transaction per command, so that a
// command that fails halfway (an unknown group among several) changes
// nothing. A name that is not found, or taken, is told by name, and the
// command exits 1 (src/cli/describe-failure.ts).
import type { Database, Transaction } from "../db/client.ts";
import { Prisma, type Gender } from "../../generated/sqlite/prisma/client.ts";
import { formatDrfTimestamp, type Timestamp } from "../timestamps.ts";

/** A name or code that names nothing, or one already taken: the command's own fault, told in one line. */
export class DirectoryError extends Error {}

/** The user fields the commands set, already checked (src/cli/main.ts checks them with the fixture's rules). */
export type UserFields = {
  email?: string | null;
  mobileNumber?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  gender?: Gender;
  isStaff?: boolean;
  isAdmin?: boolean;
  isActive?: boolean;
};

export type UserChanges = UserFields & {
  username?: string;
  addGroups?: string[];
  removeGroups?: string[];
  addPermissions?: number[];
  removePermissions?: number[];
};

/** What `user show` and `user list --json` print: the user's fields, its groups by name, its direct permissions by code. */
export type UserListing = {
  id: number;
  username: string;
  email: string | null;
  mobile_number: string | null;
  first_name: string | null;
  last_name: string | null;
  gender: Gender;
  is_active: boolean;
  is_staff: boolean;
  is_admin: boolean;
  groups: string[];
  permissions: number[];
  /** Direct or through a group, as the access rules read them. */
  effective_permissions: number[];
  last_seen_at: string | null;
  created_at: string;
};

const byName = <T extends { name: string }>(rows: T[]) => rows.map((row) => row.name).sort();

async function groupIds(tx: Transaction, names: string[]): Promise<{ id: number }[]> {
  const found = await tx.group.findMany({ where: { name: { in: names } }, select: { id: true, name: true } });
  const missing = names.filter((name) => !found.some((group) => group.name === name));
  if (missing.length > 0) throw new DirectoryError(`No group named ${missing.map((name) => JSON.stringify(name)).join(", ")}.`);
  return found.map(({ id }) => ({ id }));
}

async function permissionIds(tx: Transaction, codes: number[]): Promise<{ id: number }[]> {
  const found = await tx.permission.findMany({ where: { code: { in: codes } }, select: { id: true, code: true } });
  const missing = codes.filter((code) => !found.some((permission) => permission.code === code));
  if (missing.length > 0) throw new DirectoryError(`No permission with code ${missing.join(", ")}.`);
  return found.map(({ id }) => ({ id }));
}

/** The unique field a write collided with, as a line; other errors pass through. */
function uniqueViolation(error: unknown, what: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    // Prisma 7 over a driver adapter names the columns in the adapter's error; older engines in `target`.
    const meta = error.meta as { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown; index?: unknown } } } } | undefined;
    const constraint = meta?.driverAdapterError?.cause?.constraint;
    // SQLite's adapter gives the columns; PostgreSQL's the index, which Prisma names <Model>_<field>_key.
    const fromIndex = typeof constraint?.index === "string" ? /^[A-Za-z]+_(\w+)_key$/.exec(constraint.index)?.[1]?.split("_") : undefined;
    const fields = ([meta?.target, constraint?.fields].find(Array.isArray) as string[] | undefined) ?? fromIndex;
    const words = (name: string) => name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
    const field = fields ? fields.map(words).join(", ") : "value";
    throw new DirectoryError(`${what}: another record already has this ${field}.`);
  }
  throw error;
}

/** Microsecond companions (prisma/models.prisma) of a timestamp written now: a JavaScript Date has none. */
const nowStamp = () => ({ at: new Date(), micros: 0 });

export async function createUser(db: Database, username: string, fields: UserFields & { gender: Gender; groups?: string[]; permissions?: number[] }) {
  const { groups = [], permissions = [], ...values } = fields;
  const now = nowStamp();
  try {
    return await db.$transaction(async (tx) => {
      const created = await tx.user.create({
        data: {
          username,
          ...values,
          createdAt: now.at,
          createdAtMicros: now.micros,
          updatedAt: now.at,
          updatedAtMicros: now.micros,
          groups: { connect: await groupIds(tx, groups) },
          permissions: { connect: await permissionIds(tx, permissions) },
        },
        select: { id: true },
      });
      return created.id;
    });
  } catch (error) {
    uniqueViolation(error, `user ${JSON.stringify(username)}`);
  }
}

async function userIdOf(tx: Transaction, username: string): Promise<number> {
  const user = await tx.user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw new DirectoryError(`No user with username ${JSON.stringify(username)}.`);
  return user.id;
}

export async function updateUser(db: Database, username: string, changes: UserChanges): Promise<void> {
  const { username: newUsername, addGroups = [], removeGroups = [], addPermissions = [], removePermissions = [], ...values } = changes;
  const now = nowStamp();
  try {
    await db.$transaction(async (tx) => {
      const id = await userIdOf(tx, username);
      await tx.user.update({
        where: { id },
        data: {
          ...values,
          ...(newUsername === undefined ? {} : { username: newUsername }),
          updatedAt: now.at,
          updatedAtMicros: now.micros,
          groups: { connect: await groupIds(tx, addGroups), disconnect: await groupIds(tx, removeGroups) },
          permissions: { connect: await permissionIds(tx, addPermissions), disconnect: await permissionIds(tx, removePermissions) },
        },
      });
    });
  } catch (error) {
    uniqueViolation(error, `user ${JSON.stringify(username)}`);
  }
}

const LISTING_SELECT = {
  id: true,
  username: true,
  email: true,
  mobileNumber: true,
  firstName: true,
  lastName: true,
  gender: true,
  isActive: true,
  isStaff: true,
  isAdmin: true,
  lastSeenAt: true,
  createdAt: true,
  createdAtMicros: true,
  groups: { select: { name: true, permissions: { select: { code: true } } } },
  permissions: { select: { code: true } },
} as const;

type ListedRow = Prisma.UserGetPayload<{ select: typeof LISTING_SELECT }>;

function toListing(user: ListedRow): UserListing {
  const direct = user.permissions.map((permission) => permission.code);
  const throughGroups = user.groups.flatMap((group) => group.permissions.map((permission) => permission.code));
  const createdAt: Timestamp = { date: user.createdAt, micros: user.createdAtMicros };
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    mobile_number: user.mobileNumber,
    first_name: user.firstName,
    last_name: user.lastName,
    gender: user.gender,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_admin: user.isAdmin,
    groups: byName(user.groups),
    permissions: direct.sort((a, b) => a - b),
    effective_permissions: [...new Set([...direct, ...throughGroups])].sort((a, b) => a - b),
    last_seen_at: user.lastSeenAt?.toISOString() ?? null,
    created_at: formatDrfTimestamp(createdAt),
  };
}

export async function showUser(db: Database, username: string): Promise<UserListing> {
  const user = await db.user.findUnique({ where: { username }, select: LISTING_SELECT });
  if (!user) throw new DirectoryError(`No user with username ${JSON.stringify(username)}.`);
  return toListing(user);
}

export type UserListFilter = { isStaff?: boolean; isAdmin?: boolean; isActive?: boolean; group?: string };

/** Users by id, filtered; the CLI prints them as a table or as JSON lines' worth of listings. */
export async function listUsers(db: Database, filter: UserListFilter): Promise<UserListing[]> {
  const { group, ...flags } = filter;
  if (group !== undefined && !(await db.group.findUnique({ where: { name: group }, select: { id: true } }))) {
    throw new DirectoryError(`No group named ${JSON.stringify(group)}.`);
  }
  const users = await db.user.findMany({
    where: { ...flags, ...(group === undefined ? {} : { groups: { some: { name: group } } }) },
    orderBy: { id: "asc" },
    select: LISTING_SELECT,
  });
  return users.map(toListing);
}

/** The table `user list` prints for a person. */
export function formatUserTable(users: UserListing[]): string[] {
  const flags = (user: UserListing) => [user.is_admin && "admin", user.is_staff && "staff", !user.is_active && "inactive"].filter(Boolean).join(",");
  const rows = [
    ["id", "username", "email", "flags", "groups"],
    ...users.map((user) => [String(user.id), user.username, user.email ?? "", flags(user), user.groups.join(",")]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd());
}

/** `user show`'s lines for a person: one field a line. */
export function formatUserDetails(user: UserListing): string[] {
  return Object.entries(user).map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(", ") : value === null ? "" : String(value)}`);
}

async function groupIdOf(tx: Transaction, name: string): Promise<number> {
  return (await groupIds(tx, [name]))[0]!.id;
}

export async function createGroup(db: Database, name: string, permissions: number[] = []): Promise<void> {
  try {
    await db.$transaction(async (tx) => {
      await tx.group.create({ data: { name, permissions: { connect: await permissionIds(tx, permissions) } } });
    });
  } catch (error) {
    uniqueViolation(error, `group ${JSON.stringify(name)}`);
  }
}

export async function renameGroup(db: Database, name: string, newName: string): Promise<void> {
  try {
    await db.$transaction(async (tx) => {
      await tx.group.update({ where: { id: await groupIdOf(tx, name) }, data: { name: newName } });
    });
  } catch (error) {
    uniqueViolation(error, `group ${JSON.stringify(newName)}`);
  }
}

/** Deletes the group; its members and permissions stay, without it. Resolves with how many members it had. */
export async function deleteGroup(db: Database, name: string): Promise<number> {
  return db.$transaction(async (tx) => {
    const id = await groupIdOf(tx, name);
    const members = await tx.user.count({ where: { groups: { some: { id } } } });
    await tx.group.delete({ where: { id } });
    return members;
  });
}

/** Adds or removes members (by username) and permissions (by code) of a group, in one transaction. */
export async function changeGroup(
  db: Database,
  name: string,
  changes: { addMembers?: string[]; removeMembers?: string[]; grant?: number[]; revoke?: number[] },
): Promise<void> {
  const { addMembers = [], removeMembers = [], grant = [], revoke = [] } = changes;
  await db.$transaction(async (tx) => {
    const id = await groupIdOf(tx, name);
    const members = async (usernames: string[]) => Promise.all(usernames.map(async (username) => ({ id: await userIdOf(tx, username) })));
    await tx.group.update({
      where: { id },
      data: {
        users: { connect: await members(addMembers), disconnect: await members(removeMembers) },
        permissions: { connect: await permissionIds(tx, grant), disconnect: await permissionIds(tx, revoke) },
      },
    });
  });
}

export async function createPermission(db: Database, code: number, name: string): Promise<void> {
  try {
    await db.permission.create({ data: { code, name } });
  } catch (error) {
    uniqueViolation(error, `permission ${code} ${JSON.stringify(name)}`);
  }
}

export async function renamePermission(db: Database, code: number, newName: string): Promise<void> {
  try {
    await db.$transaction(async (tx) => {
      const [{ id }] = (await permissionIds(tx, [code])) as [{ id: number }];
      await tx.permission.update({ where: { id }, data: { name: newName } });
    });
  } catch (error) {
    uniqueViolation(error, `permission ${code}`);
  }
}

/** Deletes the permission; whoever held it, directly or through a group, no longer does. Resolves with how many held it directly. */
export async function deletePermission(db: Database, code: number): Promise<number> {
  return db.$transaction(async (tx) => {
    const [{ id }] = (await permissionIds(tx, [code])) as [{ id: number }];
    const holders = await tx.user.count({ where: { permissions: { some: { id } } } });
    await tx.permission.delete({ where: { id } });
    return holders;
  });
}
