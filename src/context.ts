// One context type for both APIs, made once per request: the requester, a
// fresh set of loaders, the clock reading and the origin the request came to.
import { authenticate, type Authentication } from "./auth/authenticate.ts";
import type { Database } from "./db/client.ts";
import type { Config } from "./env.ts";
import { createLoaders, type Loaders } from "./loaders.ts";
import type { UseRecorder } from "./auth/use-recorder.ts";
import type { RequesterCache } from "./auth/requester-cache.ts";
import type { ServerContext } from "./http/request-target.ts";
import type { Throttle } from "./throttle/throttle.ts";

export type GraphQLContext = {
  db: Database;
  config: Config;
  loaders: Loaders;
  authentication: Authentication;
  /** One reading of the clock per request, so is_online agrees across a response. */
  now: Date;
  /** Where media paths are served from: PUBLIC_URL (or the request's origin) + MEDIA_URL. */
  mediaBaseUrl: string;
};

export type ContextDependencies = { db: Database; config: Config; uses: UseRecorder; requesters: RequesterCache; throttle: Throttle };

/**
 * Throws ThrottledError when the client's address has spent THROTTLE_ANON_RATE
 * (before its credentials are looked up); a request that turns out to have no
 * valid credentials is counted against that rate here.
 */
export async function createContext(
  request: Request,
  serverContext: ServerContext,
  { db, config, uses, requesters, throttle }: ContextDependencies,
  /** A user the request will read, to read with its requester when that is read (UserAlongside, src/loaders.ts). */
  { userIdAlongside }: { userIdAlongside?: number } = {},
): Promise<GraphQLContext> {
  await throttle.checkAddress(serverContext);
  const loaders = createLoaders(db);
  const now = new Date();
  const origin = config.publicUrl ?? new URL(request.url).origin;
  const mediaBaseUrl = /^https?:\/\//.test(config.mediaUrl) ? config.mediaUrl : origin + config.mediaUrl;
  const alongside = userIdAlongside === undefined ? undefined : { userId: userIdAlongside, loaders };
  const authentication = await authenticate(request.headers.get("authorization"), { requesters, now, uses, alongside });
  if (authentication.status !== "authenticated") await throttle.countUnauthenticated(serverContext);
  return { db, config, loaders, authentication, now, mediaBaseUrl };
}
