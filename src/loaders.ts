// Per-request DataLoaders over Prisma. createContext() makes a fresh set for
// every request and nothing keeps them afterwards: their caches hold what one
// requester may see, at one moment, and must not outlive the request.
//
// Each loader turns the keys collected during one tick into one findMany (or
// groupBy) with `in`, so a query's statement count depends on how deep it
// nests, never on how many users or list items it touches.
import DataLoader from "dataloader";
import type { Database } from "./db.ts";
import type { Group, Permission, User } from "../generated/sqlite/prisma/client.ts";

export type Memberships = { groups: Group[]; permissions: Permission[] };

export type UserSummaryRow = Pick<User, "id" | "username" | "firstName" | "lastName">;
const summaryColumns = { id: true, username: true, firstName: true, lastName: true } as const;

function groupRows<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const byKey = new Map<K, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) byKey.get(keyOf(row))?.push(row);
  return keys.map((key) => byKey.get(key)!);
}

export function createLoaders(db: Database) {
  return {
    /** A missing id answers null rather than an Error: "no such user" is an ordinary answer here. */
    userById: new DataLoader<number, User | null>(async (ids) => {
      const rows = await db.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    inviteesByInviterId: new DataLoader<number, UserSummaryRow[]>(async (inviterIds) => {
      const rows = await db.user.findMany({
        where: { invitedById: { in: [...inviterIds] } },
        select: { ...summaryColumns, invitedById: true },
        orderBy: { id: "asc" },
      });
      return groupRows(inviterIds, rows, (row) => row.invitedById!);
    }),

    // Counted apart from the invitees themselves so that asking for the
    // number does not load every invitee row.
    inviteesCountByInviterId: new DataLoader<number, number>(async (inviterIds) => {
      const counts = await db.user.groupBy({
        by: ["invitedById"],
        where: { invitedById: { in: [...inviterIds] } },
        _count: { _all: true },
      });
      const byId = new Map(counts.map((row) => [row.invitedById, row._count._all]));
      return inviterIds.map((id) => byId.get(id) ?? 0);
    }),

    /**
     * A user's groups and its effective permissions (direct ones and those of
     * its groups, each once), both by id: one query serves both lists, which
     * a user view usually wants together.
     */
    membershipsByUserId: new DataLoader<number, Memberships>(async (userIds) => {
      const users = await db.user.findMany({
        where: { id: { in: [...userIds] } },
        select: {
          id: true,
          permissions: true,
          groups: { orderBy: { id: "asc" }, include: { permissions: true } },
        },
      });
      const byId = new Map(
        users.map((user) => {
          const permissions = new Map<number, Permission>();
          for (const permission of [...user.permissions, ...user.groups.flatMap((group) => group.permissions)]) {
            permissions.set(permission.id, permission);
          }
          const groups = user.groups.map(({ id, name }) => ({ id, name }));
          return [user.id, { groups, permissions: [...permissions.values()].sort((a, b) => a.id - b.id) }];
        }),
      );
      return userIds.map((id) => byId.get(id) ?? { groups: [], permissions: [] });
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
