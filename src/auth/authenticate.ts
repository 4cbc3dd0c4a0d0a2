// Who is asking: DRF's TokenAuthentication over stored key hashes.
import { DRF_MESSAGES } from "../errors.ts";
import type { RequesterUser, UserAlongside } from "../loaders.ts";
import type { RequesterCache } from "./requester-cache.ts";
import { parseTokenHeader } from "./token-header.ts";
import { hashTokenKey } from "./token-keys.ts";
import { UseRecorder } from "./use-recorder.ts";

export type Authentication =
  | { status: "anonymous" }
  /** Credentials were sent and are wrong; `detail` is DRF's message for it. */
  | { status: "failed"; detail: string }
  /** `holdsUserPermission`: directly or through a group (the access rules read it). */
  | { status: "authenticated"; requester: RequesterUser; holdsUserPermission: boolean };

export async function authenticate(
  authorizationHeader: string | null,
  { requesters, now, uses, alongside }: { requesters: RequesterCache; now: Date; uses: UseRecorder; alongside?: UserAlongside },
): Promise<Authentication> {
  const header = parseTokenHeader(authorizationHeader);
  if (header.kind === "absent") return { status: "anonymous" };
  if (header.kind === "malformed") return { status: "failed", detail: header.detail };

  // An expired token is not found: DRF's answer to a key it does not know.
  const found = await requesters.find(hashTokenKey(header.key), now, alongside);
  if (!found) return { status: "failed", detail: DRF_MESSAGES.invalidToken };
  const requester = found.user;
  if (!requester.isActive) return { status: "failed", detail: DRF_MESSAGES.inactiveUser };

  // Recorded out of the request's way (use-recorder.ts); the requester sees
  // itself as seen now at once (isOnline, src/users/user-view.ts).
  const userIsStale = UseRecorder.isStale(requester.lastSeenAt, now);
  const tokenIsStale = UseRecorder.isStale(found.token.lastUsedAt, now);
  uses.record({ userId: userIsStale ? requester.id : undefined, tokenId: tokenIsStale ? found.token.id : undefined }, now);
  const seen = userIsStale ? { ...requester, lastSeenAt: now } : requester;
  return { status: "authenticated", requester: seen, holdsUserPermission: found.holdsUserPermission };
}
