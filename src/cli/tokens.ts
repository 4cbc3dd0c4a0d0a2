// The CLI's token commands: make one (optionally expiring), list a user's,
// revoke one. A key is shown once, when made; only its hash is stored, and
// neither is ever listed.
import { generateTokenKey, hashTokenKey } from "../auth/token-keys.ts";
import type { Database } from "../db/client.ts";

export class UnknownUserError extends Error {}
export class UnknownTokenError extends Error {}
export class UsageError extends Error {}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Ten years: beyond that a lifetime is a typo, and far beyond, a date no database stores. */
const LONGEST_LIFETIME_MS = 3_650 * UNIT_MS.d;

/** `90s`, `30m`, `12h`, `30d`: how long a new token lives, in milliseconds. */
export function parseLifetime(text: string): number {
  const match = /^([1-9]\d{0,6})([smhd])$/.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms <= LONGEST_LIFETIME_MS)) {
    throw new UsageError(`--expires-in: expected a whole number and a unit, such as 90s, 30m, 12h or 30d (at most 3650d), got ${JSON.stringify(text)}`);
  }
  return ms;
}

async function userIdOf(db: Database, username: string): Promise<number> {
  const user = await db.user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw new UnknownUserError(`No user with username "${username}".`);
  return user.id;
}

/** Makes a token for `username` and returns its key, which is stored only as a hash. */
export async function createToken(db: Database, username: string, expiresAt: Date | null = null): Promise<string> {
  const userId = await userIdOf(db, username);
  const key = generateTokenKey();
  await db.apiToken.create({ data: { keyHash: hashTokenKey(key), userId, expiresAt } });
  return key;
}

export type TokenListing = { id: number; created_at: string; expires_at: string | null; last_used_at: string | null };

/** A user's tokens, oldest first: when made, when they expire, when last used (to the minute). */
export async function listTokens(db: Database, username: string): Promise<TokenListing[]> {
  const userId = await userIdOf(db, username);
  const tokens = await db.apiToken.findMany({
    where: { userId },
    orderBy: { id: "asc" },
    select: { id: true, createdAt: true, expiresAt: true, lastUsedAt: true },
  });
  return tokens.map((token) => ({
    id: token.id,
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt?.toISOString() ?? null,
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
  }));
}

/** The table `token list` prints for a person; `--json` prints the listings themselves. */
export function formatTokenTable(tokens: TokenListing[], now: Date): string[] {
  const expiry = (at: string | null) => (at === null ? "never" : new Date(at) <= now ? `${at} (expired)` : at);
  const rows = [["id", "created", "expires", "last used"], ...tokens.map((t) => [String(t.id), t.created_at, expiry(t.expires_at), t.last_used_at ?? "never"])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd());
}

/** Deletes the token: its key is refused from the next request on. Resolves with its owner's username. */
export async function revokeToken(db: Database, id: number): Promise<string> {
  try {
    const token = await db.apiToken.delete({ where: { id }, select: { user: { select: { username: true } } } });
    return token.user.username;
  } catch (error) {
    // P2025: no such record to delete.
    if ((error as { code?: string }).code === "P2025") throw new UnknownTokenError(`No token with id ${id}.`);
    throw error;
  }
}
