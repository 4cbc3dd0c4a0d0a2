// Who is asking: DRF's TokenAuthentication over stored key hashes.
import type { User } from "../../generated/sqlite/prisma/client.ts";
import type { Database } from "../db.ts";
import { DRF_MESSAGES } from "../errors.ts";
import { findRequesterByKeyHash, type Loaders } from "../loaders.ts";
import type { Logger } from "../logger.ts";
import { parseTokenHeader } from "./token-header.ts";
import { hashTokenKey } from "./token-keys.ts";

export type Authentication =
  | { status: "anonymous" }
  /** Credentials were sent and are wrong; `detail` is DRF's message for it. */
  | { status: "failed"; detail: string }
  /** `holdsUserPermission`: directly or through a group (the access rules read it). */
  | { status: "authenticated"; requester: User; holdsUserPermission: boolean };

/** last_seen_at moves at most this often per user, so reads do not each write. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export async function authenticate(
  authorizationHeader: string | null,
  { db, loaders, now, logger }: { db: Database; loaders: Loaders; now: Date; logger: Logger },
): Promise<Authentication> {
  const header = parseTokenHeader(authorizationHeader);
  if (header.kind === "absent") return { status: "anonymous" };
  if (header.kind === "malformed") return { status: "failed", detail: header.detail };

  const found = await findRequesterByKeyHash(db, hashTokenKey(header.key));
  if (!found) return { status: "failed", detail: DRF_MESSAGES.invalidToken };
  const requester = found.user;
  if (!requester.isActive) return { status: "failed", detail: DRF_MESSAGES.inactiveUser };

  const seen = await touchLastSeen(db, requester, now, logger);
  loaders.userById.prime(seen.id, seen);
  return { status: "authenticated", requester: seen, holdsUserPermission: found.holdsUserPermission };
}

/**
 * Moves last_seen_at to `now` when it is older than the resolution; returns
 * the user as it now stands. A failed write (a locked SQLite file, a
 * read-only replica) is logged and the request goes on: it came to read, and
 * last_seen_at is only a hint for is_online.
 */
async function touchLastSeen(db: Database, user: User, now: Date, logger: Logger): Promise<User> {
  const threshold = new Date(now.getTime() - LAST_SEEN_RESOLUTION_MS);
  if (user.lastSeenAt && user.lastSeenAt > threshold) return user;
  try {
    // The condition is repeated in SQL so that concurrent requests on several
    // instances write once between them, not once each. Written by hand, as
    // the reads of src/loaders.ts are: the ORM's updateMany cost about 1 ms of
    // CPU, and with many requesters most requests make this write (bench
    // scenario b at 200,000 users). Dates bind as the ORM writes them.
    await db.$executeRaw`UPDATE "User" SET "lastSeenAt" = ${now}
      WHERE id = ${user.id} AND ("lastSeenAt" IS NULL OR "lastSeenAt" <= ${threshold})`;
  } catch (error) {
    logger.warn(`Could not record that user ${user.id} was seen (the request is served): ${error instanceof Error ? error.message : String(error)}`);
    return user;
  }
  return { ...user, lastSeenAt: now };
}
