// DRF's two throttles over rate-limiter-flexible: THROTTLE_USER_RATE per
// requester, and THROTTLE_ANON_RATE per client address for requests without
// valid credentials. The counts live where every process of the service sees
// them: in this process when it is the only one, in the cluster's primary
// (over node:cluster's IPC) with WEB_CONCURRENCY workers, and in Redis when
// REDIS_URL is set, for several instances.
//
// DRF keeps a log of each requester's request times (a sliding window) and
// estimates the wait from it; rate-limiter-flexible counts per fixed window
// that starts with the first request, so the wait is the time left in that
// window. Both allow the same number of requests per period.
//
// A store that fails (Redis down or slow) must not take the API with it: the
// request is served unthrottled (fails open) and a warning is logged, once
// per outage.
import cluster from "node:cluster";
import { Redis } from "ioredis";
import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { GraphQLContext } from "../context.ts";
import type { Config } from "../env.ts";
import { ThrottledError } from "../errors.ts";
import type { ServerContext } from "../http/request-target.ts";
import type { Logger } from "../logger.ts";
import { clientAddress } from "./client-address.ts";
import type { ThrottleRate } from "./rate.ts";

export type ThrottleConfig = Config["throttle"] & { trustProxyHops: number };

// A Redis that does not answer within this is treated as down for that request.
const REDIS_COMMAND_TIMEOUT_MS = 250;
// Waiting longer than this for the cluster's primary is treated the same way.
const CLUSTER_TIMEOUT_MS = 1_000;

function createLimiter(rate: ThrottleRate, scope: "user" | "anon", redis: Redis | null): RateLimiterAbstract {
  const options = { points: rate.requests, duration: rate.periodSeconds, keyPrefix: `users-gateway:throttle:${scope}` };
  if (redis) return new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true });
  if (cluster.isWorker) return new RateLimiterCluster({ ...options, timeoutMs: CLUSTER_TIMEOUT_MS });
  return new RateLimiterMemory(options);
}

/** The wait DRF announces: whole seconds, at least one, so that Retry-After always says when. */
const waitSeconds = (msBeforeNext: number) => Math.max(1, Math.ceil(msBeforeNext / 1000));

export class Throttle {
  private readonly user: RateLimiterAbstract | null;
  private readonly anon: RateLimiterAbstract | null;
  private readonly redis: Redis | null;
  private readonly trustProxyHops: number;
  private storeFailing = false;

  constructor(config: ThrottleConfig, private readonly logger: Logger) {
    this.trustProxyHops = config.trustProxyHops;
    const needsStore = config.userRate !== null || config.anonRate !== null;
    this.redis = needsStore && config.redisUrl ? this.connectRedis(config.redisUrl) : null;
    this.user = config.userRate && createLimiter(config.userRate, "user", this.redis);
    this.anon = config.anonRate && createLimiter(config.anonRate, "anon", this.redis);
  }

  /**
   * Before authentication: an address that has spent its anonymous rate is
   * refused before its credentials are even looked up, whatever they are,
   * so that guessing keys goes no faster than the rate.
   */
  async checkAddress(serverContext: ServerContext): Promise<void> {
    if (!this.anon) return;
    const address = clientAddress(serverContext, this.trustProxyHops);
    const spent = await this.ask(() => this.anon!.get(address));
    if (spent && spent.consumedPoints >= this.anon.points) throw new ThrottledError(waitSeconds(spent.msBeforeNext));
  }

  /** After authentication: a request without valid credentials counts against its address. */
  async countUnauthenticated(serverContext: ServerContext): Promise<void> {
    if (!this.anon) return;
    const address = clientAddress(serverContext, this.trustProxyHops);
    await this.ask(() => this.anon!.penalty(address));
  }

  /**
   * After authentication and permission, as DRF's UserRateThrottle: each
   * request counts against its requester. Requests without one were counted
   * by address already.
   */
  async checkRequester({ authentication }: Pick<GraphQLContext, "authentication">): Promise<void> {
    if (!this.user || authentication.status !== "authenticated") return;
    const key = String(authentication.requester.id);
    const over = await this.ask(() => this.user!.consume(key).then(() => null, (rejection: unknown) => {
      if (rejection instanceof RateLimiterRes) return rejection;
      throw rejection;
    }));
    if (over) throw new ThrottledError(waitSeconds(over.msBeforeNext));
  }

  /**
   * Resolves once Redis has answered, or after `timeoutMs` (the service then
   * starts anyway, unthrottled until Redis answers). At once without Redis.
   */
  async connected(timeoutMs = 5_000): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === "ready") return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.storeFailed(new Error(`Redis did not answer within ${timeoutMs} ms`));
        done();
      }, timeoutMs);
      redis.once("ready", done);
    });
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis!.disconnect());
  }

  /** Runs one call to the store; when the store fails, warns once and answers null (not throttled). */
  private async ask(call: () => Promise<RateLimiterRes | null>): Promise<RateLimiterRes | null> {
    try {
      const result = await call();
      this.storeRecovered();
      return result;
    } catch (error) {
      this.storeFailed(error);
      return null;
    }
  }

  private storeFailed(error: unknown) {
    if (this.storeFailing) return;
    this.storeFailing = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Throttling is off until its store answers again; requests are served unthrottled (${reason}).`);
  }

  private storeRecovered() {
    if (!this.storeFailing) return;
    this.storeFailing = false;
    this.logger.info("Throttling is on again: its store answers.");
  }

  private connectRedis(url: string): Redis {
    const redis = new Redis(url, {
      // Commands fail at once while disconnected instead of waiting in a
      // queue: a request must not wait for Redis to come back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      // ioredis keeps reconnecting; this caps the pause between attempts.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener, a connection error would be an uncaught 'error' event.
    redis.on("error", (error) => this.storeFailed(error));
    redis.on("ready", () => this.storeRecovered());
    return redis;
  }
}

/**
 * In the primary of WEB_CONCURRENCY workers: keeps the counts of the workers'
 * RateLimiterCluster limiters, so that a rate holds for the port, not per
 * worker. Not needed when Redis keeps them.
 */
export function keepThrottleCountsForWorkers(config: Config["throttle"]): void {
  const throttled = config.userRate !== null || config.anonRate !== null;
  if (throttled && !config.redisUrl) new RateLimiterClusterMaster();
}
