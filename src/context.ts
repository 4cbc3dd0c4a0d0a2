// One context type for both APIs, made once per request: the requester, a
// fresh set of loaders, the clock reading and the origin the request came to;
// and how it is let go of once the request's answer is built.
import { RequestCache } from "@pothos/plugin-scope-auth";
import type { YogaServerInstance } from "graphql-yoga";
import { authenticate, type Authentication } from "./auth/authenticate.ts";
import type { Database } from "./db/client.ts";
import type { Config } from "./env.ts";
import { createLoaders, releaseLoaders, WHOLE_VIEW, type Loaders } from "./loaders.ts";
import type { UseRecorder } from "./auth/use-recorder.ts";
import type { RequesterCache } from "./auth/requester-cache.ts";
import type { GroupPermissionsCache } from "./group-permissions-cache.ts";
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

export type ContextDependencies = {
  db: Database;
  config: Config;
  uses: UseRecorder;
  requesters: RequesterCache;
  groupPermissions: GroupPermissionsCache;
  throttle: Throttle;
};

/**
 * Throws ThrottledError when the client's address has spent THROTTLE_ANON_RATE
 * (before its credentials are looked up); a request that turns out to have no
 * valid credentials is counted against that rate here.
 */
export async function createContext(
  request: Request,
  serverContext: ServerContext,
  { db, config, uses, requesters, groupPermissions, throttle }: ContextDependencies,
  /** A user whose whole view the request renders (loaders.expectView, src/loaders.ts): read with its requester where that spares a round trip. */
  { wholeViewOf }: { wholeViewOf?: number } = {},
): Promise<GraphQLContext> {
  await throttle.checkAddress(serverContext);
  const loaders = createLoaders(db, groupPermissions);
  const now = new Date();
  const origin = config.publicUrl ?? new URL(request.url).origin;
  const mediaBaseUrl = /^https?:\/\//.test(config.mediaUrl) ? config.mediaUrl : origin + config.mediaUrl;
  const alongside = wholeViewOf === undefined ? undefined : loaders.expectView(wholeViewOf, WHOLE_VIEW);
  const authentication = await authenticate(request.headers.get("authorization"), { requesters, now, uses, alongside });
  if (authentication.status !== "authenticated") await throttle.countUnauthenticated(serverContext);
  return { db, config, loaders, authentication, now, mediaBaseUrl };
}

/**
 * The object a GraphQL operation's resolvers get as their context: the Node
 * server's context (its req and res), then what is `added` (the request and
 * params Yoga adds, and ours), copied into a plain object.
 *
 * Not `Object.create(serverContext)`, as Yoga makes it: V8 gives the objects
 * made on a new prototype maps of their own, maps live in the old generation,
 * and each points at its prototype. The request's server context, and through
 * it its req, res, Request and everything they hold, then stayed reachable
 * from an old object after the request, so V8's young collections kept it and
 * promoted it, until the next full collection (see releaseContext).
 */
export function contextOfOperation<Added extends object = object>(serverContext: ServerContext, added?: Added): ServerContext & Added {
  return Object.assign({}, serverContext, added);
}

/**
 * Yoga's own answer to `request` (its HTTP layer, then the operation), its
 * operation's context made as contextOfOperation makes it. Given one server
 * context, Yoga's fetch (@whatwg-node/server's adapter: isolateObject) makes
 * the request's context on it as prototype; given more than one, it copies
 * them all into a new plain object (completeAssign), so an empty second one
 * is passed. With metrics on, where every GraphQL request takes this way
 * (src/server.ts), a GraphQL `user` promoted 12,028 bytes a request, then
 * 4,480 (scratch/gcstat.ts, 50 connections); the rest is the Prometheus
 * plugins' own WeakMaps, keyed by the request and the context, whose values
 * point back at them. test/release-context.test.ts checks the context Yoga's
 * resolvers get.
 */
export function fetchFromYoga<UserContext extends Record<string, unknown>>(
  yoga: YogaServerInstance<ServerContext, UserContext>,
  request: Request,
  serverContext: ServerContext,
): Promise<Response> {
  return Promise.resolve(yoga.fetch(request, serverContext, {}));
}

/**
 * Lets go of what an operation's context holds once its answer is built:
 * its loaders' rows (releaseLoaders) and the scope-auth plugin's cache for
 * it. That plugin keeps its cache, which points back at the context, in a
 * WeakMap keyed by the context; while the map is old, V8's young collections
 * keep its values alive whether or not their keys are, so every context was
 * promoted with all it reached, and only a full collection freed it.
 *
 * Both together, over HTTP (scratch/gcstat.ts: the service under autocannon,
 * V8's --trace-gc-nvp): a GraphQL `user` with every field (bench scenario c,
 * 50 connections, 20,000 requests) promoted 7,272 bytes a request, now 147
 * (REST: 143); young collections took 34 µs a request, now 15; 8 full
 * collections, now none. `{ me { username } }` on one connection: 10.4 KB a
 * request; 10.5 with a plain context alone, 6.0 with the cache released
 * alone, 19 bytes with both.
 */
export function releaseContext(context: Pick<GraphQLContext, "loaders">): void {
  releaseLoaders(context.loaders);
  RequestCache.clearForContext(context);
}
