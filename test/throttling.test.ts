// THROTTLE_USER_RATE and THROTTLE_ANON_RATE: DRF's 429 on the REST route,
// RATE_LIMITED on GraphQL, the anonymous rate checked before any credential is
// looked up, client addresses behind TRUST_PROXY, counts shared by the
// workers of one port and, through a real redis-server, by several
// instances; and a Redis that goes down lets requests through.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { ConfigError, parseConfig } from "../src/env.ts";
import { DRF_MESSAGES } from "../src/errors.ts";
import { createApp } from "../src/server.ts";
import { directoryFixture, SEED_TOKEN } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { collectingLogger, createEmptyDatabaseUrl, createTestApp, tokenHeader, type TestApp, until } from "./helpers.ts";
import { startRedisServer, type RedisServer } from "./redis-server.ts";
import { skipWithoutRedis } from "./requirements.ts";
import { startService } from "./service-process.ts";

const admin = tokenHeader(keyFor("admin"));

/** DRF's text for a wait of `seconds`. */
const throttledDetail = (seconds: number) => `Request was throttled. Expected available in ${seconds} ${seconds === 1 ? "second" : "seconds"}.`;

/** The wait a 429 announces, after checking that its body and Retry-After agree on it. */
async function announcedWait(response: Response): Promise<number> {
  assert.equal(response.status, 429);
  const body = (await response.json()) as { detail: string };
  const wait = Number(response.headers.get("retry-after"));
  assert.ok(Number.isInteger(wait) && wait >= 1, `Retry-After: ${response.headers.get("retry-after")}`);
  assert.equal(body.detail, throttledDetail(wait));
  return wait;
}

describe("rates in DRF's notation", () => {
  test("the forms DRF's documentation uses are read; anything else is refused, naming the variable", () => {
    const rateOf = (text: string) => parseConfig({ THROTTLE_USER_RATE: text }).throttle.userRate;
    assert.deepEqual(rateOf("100/min"), { requests: 100, periodSeconds: 60, text: "100/min" });
    assert.deepEqual(
      ["5/s", "5/second", "10/minute", "10/m", "3/hour", "3/h", "1000/day", "1000/d"].map((text) => rateOf(text)?.periodSeconds),
      [1, 1, 60, 60, 3_600, 3_600, 86_400, 86_400],
    );
    assert.equal(parseConfig({}).throttle.userRate, null, "unset: no throttling, as the original");
    for (const bad of ["100", "100/mars", "0/min", "-1/min", "ten/min", "100/5min", "/min"]) {
      assert.throws(() => parseConfig({ THROTTLE_ANON_RATE: bad }), (error: ConfigError) => {
        assert.match(error.message, new RegExp(`THROTTLE_ANON_RATE: expected a rate such as 100/min .*got ${JSON.stringify(bad).replace(/[/]/g, "\\/")}`));
        return true;
      });
    }
    assert.throws(() => parseConfig({ TRUST_PROXY: "yes" }), /TRUST_PROXY: expected a whole number/);
    assert.throws(() => parseConfig({ REDIS_URL: "localhost:6379" }), /REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
  });
});

describe("THROTTLE_USER_RATE on the REST route", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture(), { THROTTLE_USER_RATE: "2/min" });
  });

  test("the requester's third request in a minute gets DRF's 429, with Retry-After and the route's headers", async () => {
    for (let i = 0; i < 2; i++) assert.equal((await app.request("GET", "/api/users/2/", admin)).status, 200);
    const refused = await app.request("GET", "/api/users/2/", admin);
    const wait = await announcedWait(refused);
    assert.ok(wait > 55 && wait <= 60, `a minute's window, less what passed: ${wait}`);
    assert.equal(refused.headers.get("allow"), "GET, HEAD, OPTIONS");
    assert.equal(refused.headers.get("vary"), "Accept");
    assert.equal(refused.headers.get("content-type"), "application/json");
    // Every method counts, as DRF's check_throttles runs before the method's handler.
    assert.equal((await app.request("OPTIONS", "/api/users/2/", admin)).status, 429);
  });

  test("counts are per requester: another reader is not held back", async () => {
    const other = tokenHeader(keyFor("groupReader"));
    for (let i = 0; i < 2; i++) assert.equal((await app.request("GET", "/api/users/2/", other)).status, 200);
    assert.equal((await app.request("GET", "/api/users/2/", other)).status, 429);
  });

  test("permission comes first: a refused requester keeps getting 403, and the refusals do not count", async () => {
    const plainStaff = tokenHeader(keyFor("plainStaff"));
    for (let i = 0; i < 4; i++) {
      const response = await app.request("GET", "/api/users/2/", plainStaff);
      assert.equal(response.status, 403);
      assert.deepEqual(await response.json(), { detail: DRF_MESSAGES.permissionDenied });
    }
  });

  test("a wait of one second is said in the singular", async () => {
    const fast = await createTestApp(directoryFixture(), { THROTTLE_USER_RATE: "1/s" });
    assert.equal((await fast.request("GET", "/api/users/2/", admin)).status, 200);
    const refused = await fast.request("GET", "/api/users/2/", admin);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.equal(await announcedWait(refused), 1);
  });
});

describe("THROTTLE_USER_RATE on GraphQL", () => {
  test("over the rate: HTTP 429, Retry-After, and an error with code RATE_LIMITED and the same wait", async () => {
    const app = await createTestApp(directoryFixture(), { THROTTLE_USER_RATE: "1/min" });
    const ask = () =>
      app.app.fetch(
        new Request("http://users.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", ...admin },
          body: JSON.stringify({ query: "{ me { username } }" }),
        }),
      );
    const first = await ask();
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { data: { me: { username: "admin" } } });

    const refused = await ask();
    assert.equal(refused.status, 429);
    const wait = Number(refused.headers.get("retry-after"));
    assert.ok(wait > 55 && wait <= 60, `Retry-After: ${wait}`);
    const body = (await refused.json()) as { data?: unknown; errors: { message: string; extensions: Record<string, unknown> }[] };
    assert.equal(body.data, undefined, "nothing was executed");
    assert.deepEqual(body.errors, [{ message: throttledDetail(wait), extensions: { code: "RATE_LIMITED", retryAfter: wait } }]);
  });
});

describe("THROTTLE_ANON_RATE: requests without valid credentials, per address", () => {
  test("wrong keys count; once the address is over, even a valid key is refused before any SQL runs", async () => {
    const app = await createTestApp(directoryFixture(), { THROTTLE_ANON_RATE: "3/min" });
    const guesses = [tokenHeader("0".repeat(40)), { authorization: "Token" }, {}];
    const statuses = [];
    for (const headers of guesses) statuses.push((await app.request("GET", "/api/users/2/", headers)).status);
    assert.deepEqual(statuses, [401, 401, 401]);

    app.recorder.take();
    const refused = await app.request("GET", "/api/users/2/", admin);
    await announcedWait(refused);
    assert.deepEqual(app.recorder.take(), [], "the key was not looked up");
    // GraphQL shares the address's count.
    const graphql = await app.graphql("{ me { username } }", {}, admin);
    assert.equal(graphql.errors?.[0]?.extensions?.code, "RATE_LIMITED");
  });

  test("requests with valid credentials never count against it", async () => {
    const app = await createTestApp(directoryFixture(), { THROTTLE_ANON_RATE: "1/min" });
    for (let i = 0; i < 5; i++) assert.equal((await app.request("GET", "/api/users/2/", admin)).status, 200);
    assert.equal((await app.request("GET", "/api/users/2/")).status, 401);
    assert.equal((await app.request("GET", "/api/users/2/")).status, 429);
  });
});

/** A GET on a new connection each time (so that a cluster's workers take turns), read whole. */
function getOnNewConnection(origin: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${path}`, { agent: false, headers: { connection: "close", ...headers } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
    request.end();
  });
}

describe("client addresses and processes, over real sockets", () => {
  test("without TRUST_PROXY, X-Forwarded-For is ignored: a client cannot pick a new address per guess", async () => {
    const service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true", THROTTLE_ANON_RATE: "2/min" });
    try {
      const origin = await service.origin;
      const statuses = [];
      for (const address of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) {
        statuses.push(await getOnNewConnection(origin, "/api/users/2/", { "x-forwarded-for": address }));
      }
      assert.deepEqual(statuses, [401, 401, 429]);
    } finally {
      service.child.kill("SIGTERM");
      await service.exited;
    }
  });

  test("with TRUST_PROXY=1, the address the proxy appended is the client's, whatever the client put before it", async () => {
    const service = startService({
      DATABASE_URL: await createEmptyDatabaseUrl(),
      DEMO_DATA: "true",
      THROTTLE_ANON_RATE: "2/min",
      TRUST_PROXY: "1",
    });
    try {
      const origin = await service.origin;
      const from = (forwardedFor: string) => getOnNewConnection(origin, "/api/users/2/", { "x-forwarded-for": forwardedFor });
      // Two clients behind the proxy: each has its own count.
      assert.deepEqual([await from("192.0.2.1"), await from("192.0.2.1"), await from("192.0.2.2")], [401, 401, 401]);
      // A forged entry before the proxy's own changes nothing.
      assert.equal(await from("198.51.100.7, 192.0.2.1"), 429);
      assert.equal(await from("192.0.2.2"), 401);
    } finally {
      service.child.kill("SIGTERM");
      await service.exited;
    }
  });

  test("WEB_CONCURRENCY=2: the workers share one count per requester", async () => {
    const service = startService({
      DATABASE_URL: await createEmptyDatabaseUrl(),
      DEMO_DATA: "true",
      WEB_CONCURRENCY: "2",
      THROTTLE_USER_RATE: "3/min",
    });
    try {
      const origin = await service.origin;
      await service.sees(/"processes":"2 workers"/);
      // Connections alternate between the workers: counted per worker, all six would pass.
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push(await getOnNewConnection(origin, "/api/users/2/", tokenHeader(SEED_TOKEN)));
      assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
    } finally {
      service.child.kill("SIGTERM");
      assert.equal((await service.exited).code, 0);
    }
  });
});

describe("REDIS_URL: counts shared by several instances, through a real redis-server", { skip: skipWithoutRedis() }, () => {
  let redis: RedisServer;
  let first: TestApp;
  let second: ReturnType<typeof createApp>;
  let captured: ReturnType<typeof collectingLogger>;

  before(async () => {
    redis = await startRedisServer();
    const env = { THROTTLE_USER_RATE: "2/min", REDIS_URL: redis.url };
    first = await createTestApp(directoryFixture(), env);
    // A second instance over the same database: its own process memory, the same Redis.
    captured = collectingLogger("info");
    second = createApp({ db: first.db, config: parseConfig({ DATABASE_URL: first.target.url, ...env }), logger: captured.logger });
    await Promise.all([first.app.ready(), second.ready()]);
  });
  after(async () => {
    await first?.app.close();
    await second?.close();
    await redis?.stop();
  });

  const readThrough = (app: { fetch: (request: Request) => Promise<Response> }) =>
    app.fetch(new Request("http://users.test/api/users/2/", { headers: admin }));

  test("two requests on one instance and a third on another: the third is throttled", async () => {
    assert.equal((await readThrough(first.app)).status, 200);
    assert.equal((await readThrough(first.app)).status, 200);
    await announcedWait(await readThrough(second));
  });

  test("Redis down: requests are served (fail open), with one warning; back up: throttled again", async () => {
    await redis.stop();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await readThrough(second)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    const messages = () => captured.records.map((record) => `${record.level}: ${record.msg}`);
    const warnings = messages().filter((line) => line.startsWith("warn: Throttling is off"));
    assert.equal(warnings.length, 1, messages().join("\n"));

    await redis.start();
    // The new server holds no counts: the rate starts over once the client has reconnected.
    await until("throttling to come back with Redis", async () => (await readThrough(second)).status === 429, { withinMs: 15_000 });
    assert.ok(messages().some((line) => line.startsWith("info: Throttling is on again")), messages().join("\n"));
  });
});
