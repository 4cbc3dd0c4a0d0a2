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

/** last_seen_at (per user) and a token's lastUsedAt move at most this often, so reads do not each write. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export async function authenticate(
  authorizationHeader: string | null,
  { db, loaders, now, logger }: { db: Database; loaders: Loaders; now: Date; logger: Logger },
): Promise<Authentication> {
  const header = parseTokenHeader(authorizationHeader);
  if (header.kind === "absent") return { status: "anonymous" };
  if (header.kind === "malformed") return { status: "failed", detail: header.detail };

  // An expired token is not found: DRF's answer to a key it does not know.
  const found = await findRequesterByKeyHash(db, hashTokenKey(header.key), now);
  if (!found) return { status: "failed", detail: DRF_MESSAGES.invalidToken };
  const requester = found.user;
  if (!requester.isActive) return { status: "failed", detail: DRF_MESSAGES.inactiveUser };

  const threshold = new Date(now.getTime() - LAST_SEEN_RESOLUTION_MS);
  const isStale = (at: Date | null) => at === null || at <= threshold;
  let seen = requester;
  // The conditions are repeated in SQL so that concurrent requests on several
  // instances write once between them, not once each. Written by hand, as the
  // reads of src/loaders.ts are: the ORM's updateMany cost about 1 ms of CPU,
  // and with many requesters most requests would make these writes (bench
  // scenario b at 200,000 users). Dates bind as the ORM writes them.
  if (isStale(requester.lastSeenAt)) {
    const written = await writeHint(logger, `that user ${requester.id} was seen`, () =>
      db.$executeRaw`UPDATE "User" SET "lastSeenAt" = ${now}
        WHERE id = ${requester.id} AND ("lastSeenAt" IS NULL OR "lastSeenAt" <= ${threshold})`,
    );
    if (written) seen = { ...requester, lastSeenAt: now };
  }
  if (isStale(found.token.lastUsedAt)) {
    await writeHint(logger, `that token ${found.token.id} was used`, () =>
      db.$executeRaw`UPDATE "ApiToken" SET "lastUsedAt" = ${now}
        WHERE id = ${found.token.id} AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= ${threshold})`,
    );
  }
  loaders.userById.prime(seen.id, seen);
  return { status: "authenticated", requester: seen, holdsUserPermission: found.holdsUserPermission };
}

/**
 * Runs a write that only records a hint (last_seen_at, for is_online; a
 * token's last use, for `token list`); resolves whether it succeeded. A
 * failure (a locked SQLite file, a read-only replica) is logged and the
 * request goes on: it came to read.
 */
async function writeHint(logger: Logger, what: string, write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    logger.warn(`Could not record ${what} (the request is served): ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}
