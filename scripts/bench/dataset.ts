// The benchmark's data set, generated from a seed: a fixture in the format
// `npm run cli -- import` reads (docs/fixture-format.md), so that it goes
// through the project's own parser and import, plus what the load needs to
// know about it (readable ids, plain token keys). Nothing here touches a
// database; dataset-cache.ts writes it.
//
// Shape, chosen to look like a real directory rather than like the tests'
// regular fixtures:
// - about a quarter of the users are staff or admins (the readable ones);
// - groups and permissions as in the demo fixture (code 1222 lets staff
//   read), more of them, staff holding 1222 directly, through a group, or not;
// - invite trees several levels deep (each user invited by an earlier one),
//   and three "hub" users with thousands of invitees where the set is large
//   enough (their invitees are capped at half of the users);
// - a few thousand tokens of requesters who may read: admins, staff with
//   1222 directly, staff with it through a group; and some of users who may not;
// - timestamps with microseconds (some with none, some written with a zone
//   offset), Unicode names (U+2028 included, which DRF's renderer escapes),
//   empty and missing names, avatars as media paths (with spaces and
//   non-ASCII), as URLs, or none.
import { createRandom, type Random } from "./random.ts";

/** A user as the fixture format writes it (timestamps as ISO 8601 text). */
export type FixtureUser = {
  id: number;
  username: string;
  mobile_number: string | null;
  email: string | null;
  is_email_verified: boolean;
  avatar: string | null;
  first_name: string | null;
  last_name: string | null;
  gender: "male" | "female" | "other";
  invited_by: number | null;
  invite_code: string | null;
  is_active: boolean;
  is_staff: boolean;
  is_admin: boolean;
  is_profile_completed: boolean;
  last_login: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
  groups: number[];
  permissions: number[];
};

export type FixtureDocument = {
  permissions: { id: number; code: number; name: string }[];
  groups: { id: number; name: string; permissions: number[] }[];
  users: FixtureUser[];
  tokens: { key: string; user: number }[];
};

/** Who a token belongs to, by the way its user is allowed to read users. */
export type RequesterKind = "admin" | "staff-direct" | "staff-group";

export type DatasetManifest = {
  users: number;
  seed: number;
  /** Ids of staff and admins: the only users the API lets anyone read. */
  visibleIds: number[];
  /** One active admin's key: the single requester of scenarios a, c and d. */
  adminKey: string;
  /** Keys of requesters who may read users: scenario b picks one per request. */
  requesters: { key: string; userId: number; kind: RequesterKind }[];
  /** The hubs, for the honesty check (their bodies are the largest). */
  hubIds: number[];
  stats: Record<string, number | number[]>;
};

export const USER_PERMISSION_CODE = 1222;
const HUB_COUNT = 3;
/** The largest is the "one user with 10,000 invitees" (scenario e), reached from 200,000 users on. */
const HUB_TARGETS = [10000, 2000, 1000];
const ADMIN_ID = HUB_COUNT + 1;
/** Tokens of requesters who may read, spread evenly over the three kinds. */
const READER_TOKENS = 3000;
/** And some of users who may not (plain users, staff without 1222): real tables have them. */
const OTHER_TOKENS = 300;

const PERMISSIONS: [number, string][] = [
  [1001, "general_settings_read"],
  [1002, "general_settings_write"],
  [1101, "orders_read"],
  [1102, "orders_write"],
  [1103, "orders_refund"],
  [1201, "user_create"],
  [USER_PERMISSION_CODE, "UserPermission"],
  [1223, "user_update"],
  [1224, "user_delete"],
  [1301, "reports_read"],
  [1302, "reports_export"],
  [1401, "billing_read"],
  [1402, "billing_write"],
  [1501, "support_tickets_read"],
  [1502, "support_tickets_write"],
  [1601, "content_publish"],
  [1602, "content_moderate"],
  [1701, "audit_log_read"],
  [1801, "api_tokens_manage"],
  [1901, "feature_flags_write"],
];

// Group name and the codes it holds; the two that hold 1222 make their members readers.
const GROUPS: [string, number[]][] = [
  ["Inter", [1001]],
  ["User readers", [USER_PERMISSION_CODE]],
  ["Support", [1501, 1502, 1101]],
  ["Billing", [1401, 1402, 1103]],
  ["Moderators", [1601, 1602]],
  ["Auditors", [1701, 1301, USER_PERMISSION_CODE]],
  ["Reporting", [1301, 1302]],
  ["Operations", [1001, 1002, 1901]],
  ["Équipe Paris", [1101, 1102]],
  ["تیم تهران", [1501, 1101]],
];

const FIRST_NAMES = [
  "kevin", "masimo", "Zoë", "José", "Ólafur", "Åsa", "Дмитрий", "Ελένη", "پارسا", "مریم", "علی", "太郎",
  "さくら", "지민", "Thị Lan", "Łukasz", "Søren", "François", "Ayşe", "Çağrı", "Renée", "Jürgen", "Ngozi", "Priya",
];
const LAST_NAMES = [
  "keegan", "moratti", "حسینی‌نژاد", "Müller", "Ødegaard", "Иванов", "Παπαδόπουλος", "山田", "김", "Đặng",
  "Wiśniewski", "García Márquez", "van der Berg", "O'Connor", "Smith-Jones", "Nakamura", "Okafor", "Rossi",
];
const USERNAME_BASES = ["keegan", "moratti", "Eve", "alex", "sam", "noor", "li", "mo", "kasra", "yuki", "ana", "omar"];

const EPOCH_2020 = Date.UTC(2020, 0, 1) / 1000;
const EPOCH_2026 = Date.UTC(2026, 0, 1) / 1000;

/**
 * ISO 8601 as fixtures bring it: six fractional digits (none in one case out
 * of ten), mostly in UTC, sometimes with Tehran's offset (the import converts).
 */
function timestamp(random: Random, epochSeconds: number): string {
  const micros = random.chance(0.1) ? 0 : random.int(0, 999_999);
  const fraction = micros === 0 ? "" : `.${String(micros).padStart(6, "0")}`;
  if (random.chance(0.05)) {
    const local = new Date((epochSeconds + 3.5 * 3600) * 1000).toISOString().slice(0, 19);
    return `${local}${fraction}+03:30`;
  }
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}${fraction}Z`;
}

function name(random: Random, pool: string[]): string | null {
  const roll = random.next();
  if (roll < 0.05) return null;
  if (roll < 0.08) return "";
  // Rare, but the renderer must escape it as DRF does.
  if (roll < 0.082) return `${random.pick(pool)}\u2028${random.pick(pool)}`;
  return random.pick(pool);
}

function avatar(random: Random, id: number): string | null {
  const roll = random.next();
  if (roll < 0.4) return null;
  if (roll < 0.65) return `avatars/${id}.png`;
  if (roll < 0.8) return `avatars/2026/my pic ü ${id}.jpg`;
  return `https://cdn.example.test/u/${id}.jpg`;
}

/** How many invitees each hub gets: the targets, scaled down so hubs hold at most half of the other users. */
function hubSizes(users: number): number[] {
  const others = Math.max(0, users - ADMIN_ID);
  const total = HUB_TARGETS.reduce((sum, n) => sum + n, 0);
  const scale = Math.min(1, (others * 0.5) / total);
  return HUB_TARGETS.map((target) => Math.floor(target * scale));
}

export function generateDataset(users: number, seed: number): { fixture: FixtureDocument; manifest: DatasetManifest } {
  if (!Number.isInteger(users) || users < ADMIN_ID + 1) throw new Error(`--users must be at least ${ADMIN_ID + 1}, got ${users}`);
  const random = createRandom(seed);

  const permissions = PERMISSIONS.map(([code, permissionName], index) => ({ id: index + 1, code, name: permissionName }));
  const permissionId = new Map(permissions.map((p) => [p.code, p.id]));
  const groups = GROUPS.map(([groupName, codes], index) => ({
    id: index + 1,
    name: groupName,
    permissions: codes.map((code) => permissionId.get(code)!),
  }));
  const readerGroupIds = groups.filter((g) => g.permissions.includes(permissionId.get(USER_PERMISSION_CODE)!)).map((g) => g.id);
  const otherGroupIds = groups.map((g) => g.id).filter((id) => !readerGroupIds.includes(id));
  const otherPermissionIds = permissions.filter((p) => p.code !== USER_PERMISSION_CODE).map((p) => p.id);
  const userPermissionId = permissionId.get(USER_PERMISSION_CODE)!;

  // Who invites whom. Hubs take their share from a random sample of users;
  // every other user is invited by a uniformly chosen earlier user (a random
  // recursive tree: depth grows like ln n, so several levels) or by nobody.
  const invitedBy = new Array<number | null>(users + 1).fill(null);
  const sizes = hubSizes(users);
  const candidates = Array.from({ length: users - ADMIN_ID }, (_, i) => ADMIN_ID + 1 + i);
  const hubInvitees = random.sample(candidates, sizes.reduce((sum, n) => sum + n, 0));
  let offset = 0;
  sizes.forEach((size, hub) => {
    for (const id of hubInvitees.slice(offset, offset + size)) invitedBy[id] = hub + 1;
    offset += size;
  });
  const takenByHub = new Set(hubInvitees);
  for (let id = ADMIN_ID + 1; id <= users; id++) {
    if (!takenByHub.has(id) && random.chance(0.85)) invitedBy[id] = random.int(1, id - 1);
  }

  const fixtureUsers: FixtureUser[] = [];
  const readers: Record<RequesterKind, number[]> = { admin: [], "staff-direct": [], "staff-group": [] };
  const nonReaders: number[] = [];
  const visibleIds: number[] = [];
  for (let id = 1; id <= users; id++) {
    const isHub = id <= HUB_COUNT;
    const role = isHub ? "staff" : id === ADMIN_ID ? "admin" : random.chance(0.02) ? "admin" : random.chance(0.235) ? "staff" : "user";
    const isAdmin = role === "admin";
    const isStaff = role === "staff" || (isAdmin && random.chance(0.8));
    const isActive = isHub || id === ADMIN_ID || random.chance(0.96);
    const userGroups: number[] = [];
    const userPermissions: number[] = [];
    let kind: RequesterKind | null = null;
    if (role === "user") {
      if (random.chance(0.1)) userGroups.push(random.pick(otherGroupIds));
      if (random.chance(0.05)) userPermissions.push(random.pick(otherPermissionIds));
    } else {
      userGroups.push(...random.sample(otherGroupIds, random.int(0, 3)));
      userPermissions.push(...random.sample(otherPermissionIds, random.int(0, 3)));
      if (isAdmin) kind = "admin";
      else if (!isHub) {
        const roll = random.next();
        if (roll < 0.3) {
          userPermissions.push(userPermissionId);
          kind = "staff-direct";
        } else if (roll < 0.6) {
          userGroups.push(random.pick(readerGroupIds));
          kind = "staff-group";
        }
      }
    }
    if (isAdmin || isStaff) visibleIds.push(id);
    if (isActive && kind) readers[kind].push(id);
    else nonReaders.push(id);

    const created = random.int(EPOCH_2020, EPOCH_2026);
    const updated = random.int(created, EPOCH_2026);
    const base = random.pick(USERNAME_BASES);
    fixtureUsers.push({
      id,
      username: isHub ? `hub${id}` : id === ADMIN_ID ? "admin" : `${base}${random.pick(["", ".", "_"])}${id}`,
      mobile_number: random.chance(0.7) ? `09${String(100_000_000 + id)}` : null,
      email: random.chance(0.9) ? `u${id}.${base.toLowerCase()}@mail.example.test` : null,
      is_email_verified: random.chance(0.6),
      avatar: avatar(random, id),
      first_name: name(random, FIRST_NAMES),
      last_name: name(random, LAST_NAMES),
      gender: random.pick(["male", "female", "other"] as const),
      invited_by: invitedBy[id] ?? null,
      invite_code: random.chance(0.3) ? `INV-${id.toString(36).toUpperCase()}` : null,
      is_active: isActive,
      is_staff: isStaff,
      is_admin: isAdmin,
      is_profile_completed: random.chance(0.7),
      last_login: random.chance(0.7) ? timestamp(random, random.int(created, EPOCH_2026)) : null,
      last_seen_at: random.chance(0.5) ? timestamp(random, random.int(updated, EPOCH_2026)) : null,
      created_at: timestamp(random, created),
      updated_at: timestamp(random, updated),
      groups: [...new Set(userGroups)].sort((a, b) => a - b),
      permissions: [...new Set(userPermissions)].sort((a, b) => a - b),
    });
  }

  // Keys as DRF makes them (40 lowercase hex), from the seed so the cache can keep them.
  const keys = new Set<string>();
  const newKey = () => {
    let key = random.hex(40);
    while (keys.has(key)) key = random.hex(40);
    keys.add(key);
    return key;
  };
  const adminKey = newKey();
  const tokens = [{ key: adminKey, user: ADMIN_ID }];
  const requesters: DatasetManifest["requesters"] = [{ key: adminKey, userId: ADMIN_ID, kind: "admin" }];
  const kinds = (Object.keys(readers) as RequesterKind[]).filter((kind) => readers[kind].length > 0);
  for (let i = 1; i < READER_TOKENS; i++) {
    const kind = kinds[i % kinds.length]!;
    const userId = random.pick(readers[kind]);
    const key = newKey();
    tokens.push({ key, user: userId });
    requesters.push({ key, userId, kind });
  }
  for (let i = 0; i < OTHER_TOKENS && nonReaders.length > 0; i++) tokens.push({ key: newKey(), user: random.pick(nonReaders) });

  return {
    fixture: { permissions, groups, users: fixtureUsers, tokens },
    manifest: {
      users,
      seed,
      visibleIds,
      adminKey,
      requesters,
      hubIds: sizes.map((_, hub) => hub + 1),
      stats: {
        visible: visibleIds.length,
        admins: fixtureUsers.filter((u) => u.is_admin).length,
        inactive: fixtureUsers.filter((u) => !u.is_active).length,
        readerAdmins: readers.admin.length,
        readerStaffDirect: readers["staff-direct"].length,
        readerStaffGroup: readers["staff-group"].length,
        tokens: tokens.length,
        hubInvitees: sizes,
        deepestInviteChain: deepestChain(invitedBy),
      },
    },
  };
}

/** The longest invited_by chain, in users (inviters always have smaller ids here, so one pass suffices). */
function deepestChain(invitedBy: (number | null)[]): number {
  const depth = new Array<number>(invitedBy.length).fill(0);
  let deepest = 0;
  for (let id = 1; id < invitedBy.length; id++) {
    const inviter = invitedBy[id];
    depth[id] = inviter ? depth[inviter]! + 1 : 1;
    deepest = Math.max(deepest, depth[id]!);
  }
  return deepest;
}
