// Prometheus metrics (METRICS_TOKEN, METRICS_PORT): scraped for real after
// REST and GraphQL requests, in-process and from the service as a process,
// once with WEB_CONCURRENCY=2, where the figures are every worker's added up.
import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, test } from "node:test";
import { parseConfig, ConfigError } from "../src/env.ts";
import { operationNameLabel } from "../src/plugins/use-metrics.ts";
import { directoryFixture, SEED_TOKEN } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createEmptyDatabaseUrl, createTestApp, TEST_ENGINE, tokenHeader, type TestApp } from "./helpers.ts";
import { logRecords, startService, type ServiceProcess } from "./service-process.ts";

const TOKEN = "metrics-token-0123456789abcdef";
const bearer = { authorization: `Bearer ${TOKEN}` };
const admin = tokenHeader(keyFor("admin"));

type Series = { name: string; labels: Record<string, string>; value: number };

/** The exposition text's samples; comments skipped. */
function parseExposition(text: string): Series[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(series: Series[], name: string, labels: Record<string, string> = {}): number {
  return series
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

const has = (series: Series[], name: string) => series.some((sample) => sample.name === name);

describe("METRICS_TOKEN: /metrics on the main port, for the token's holder", () => {
  let app: TestApp;
  let series: Series[];
  before(async () => {
    app = await createTestApp(directoryFixture(), { METRICS_TOKEN: TOKEN, THROTTLE_ANON_RATE: "2/min" });
    // Two reads of user 2 (one by a path with leading zeros: one route), a 401, an unknown path.
    await app.request("GET", "/api/users/2/", admin);
    await app.request("GET", "/api/users/0002", admin);
    await app.request("GET", "/api/users/2/", admin);
    await app.request("GET", "/no/such/path-4471");
    await app.graphql("query UserTwo { user(id: 2) { username } }", {}, admin);
    await app.graphql("query UserTwo { user(id: 2) { username } }", {}, admin);
    await app.graphql("query Me { me { username } }");
    await app.graphql("query Broken { user(id: 2) { noSuchField } }", {}, admin);
    const response = await app.request("GET", "/metrics", bearer);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    series = parseExposition(await response.text());
  });

  test("counts HTTP requests and their latency by route template, never by raw path", () => {
    assert.equal(total(series, "http_requests_total", { method: "GET", route: "/api/users/{id}/", status: "200" }), 3);
    assert.equal(total(series, "http_request_duration_seconds_count", { route: "/api/users/{id}/", status: "200" }), 3);
    assert.equal(total(series, "http_requests_total", { route: "/graphql", method: "POST" }), 4);
    assert.equal(total(series, "http_requests_total", { route: "unmatched", status: "404" }), 1);
    assert.ok(series.every((sample) => !Object.values(sample.labels).some((value) => value.includes("4471") || value.includes("0002"))), "no raw path in a label");
    assert.ok(total(series, "http_request_duration_seconds_sum", { route: "/api/users/{id}/" }) > 0);
  });

  test("counts GraphQL operations, their latency, and errors by code", () => {
    assert.equal(total(series, "graphql_envelop_request", { operationName: "UserTwo", operationType: "query" }), 2);
    assert.equal(total(series, "graphql_envelop_request_duration_count", { operationName: "UserTwo" }), 2);
    assert.equal(total(series, "graphql_yoga_http_duration_count", { operationName: "UserTwo", statusCode: "200" }), 2);
    assert.equal(total(series, "graphql_envelop_error_result", { code: "GRAPHQL_VALIDATION_FAILED", phase: "validate" }), 1);
    assert.equal(total(series, "graphql_envelop_error_result", { code: "UNAUTHENTICATED" }) >= 1, true, JSON.stringify(series.filter((s) => s.name === "graphql_envelop_error_result")));
  });

  test("has the process's figures, and the pool's on PostgreSQL", () => {
    for (const name of ["process_cpu_user_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_seconds"]) {
      assert.ok(has(series, name), name);
    }
    if (TEST_ENGINE === "postgres") {
      assert.equal(total(series, "db_pool_max_connections"), 10);
      assert.ok(total(series, "db_pool_connections") >= 1);
      assert.ok(has(series, "db_pool_idle_connections") && has(series, "db_pool_waiting_requests"));
    } else {
      // One SQLite connection, no pool: nothing to report.
      assert.equal(has(series, "db_pool_connections"), false);
    }
  });

  test("refuses a missing or wrong token with a 401, and never counts a scrape against a throttle", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Token ${TOKEN}` }, { authorization: "Bearer" }]) {
      const response = await app.request("GET", "/metrics", headers);
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(response.headers.get("www-authenticate"), "Bearer");
    }
    // THROTTLE_ANON_RATE is 2/min for this address, and already spent by the 401s above.
    for (let i = 0; i < 3; i++) assert.equal((await app.request("GET", "/metrics", bearer)).status, 200);
    assert.equal((await app.request("POST", "/metrics", bearer)).status, 405);
  });
});

describe("metrics are off by default, and only on METRICS_PORT when that is set", () => {
  test("no variable: /metrics is a 404, and nothing is collected", async () => {
    const app = await createTestApp(directoryFixture());
    assert.equal((await app.request("GET", "/metrics", bearer)).status, 404);
    assert.equal(app.app.readMetrics, null);
  });

  test("METRICS_PORT: the main port has no /metrics, even with the token", async () => {
    const app = await createTestApp(directoryFixture(), { METRICS_PORT: "0", METRICS_TOKEN: TOKEN });
    assert.equal((await app.request("GET", "/metrics", bearer)).status, 404);
    assert.notEqual(app.app.readMetrics, null);
  });

  test("bad values are refused at start, and the token is never echoed", () => {
    assert.throws(() => parseConfig({ METRICS_TOKEN: "short-secret" }), (error: ConfigError) => /METRICS_TOKEN: expected 16/.test(error.message) && !error.message.includes("short-secret"));
    assert.throws(() => parseConfig({ METRICS_PORT: "http" }), /METRICS_PORT: expected a port/);
    assert.throws(() => parseConfig({ METRICS_PORT: "4000", PORT: "4000" }), /METRICS_PORT: expected another port than PORT/);
  });
});

describe("an operation name is a label only while names stay few", () => {
  test("names past the cap, too long or not GraphQL names count as other", () => {
    const names = new Set<string>();
    for (let i = 0; i < 100; i++) assert.equal(operationNameLabel(names, `Operation${i}`), `Operation${i}`);
    assert.equal(operationNameLabel(names, "OneTooMany"), "other");
    assert.equal(operationNameLabel(names, "Operation7"), "Operation7", "a name already kept stays");
    assert.equal(operationNameLabel(new Set(), "a".repeat(65)), "other");
    assert.equal(operationNameLabel(new Set(), undefined), "Anonymous");
  });

  test("in a scrape, a client sending a new name each time adds no more than the cap", async () => {
    const app = await createTestApp(directoryFixture(), { METRICS_TOKEN: TOKEN });
    for (let i = 0; i < 110; i++) await app.graphql(`query Name${i} { __typename }`);
    const series = parseExposition(await (await app.request("GET", "/metrics", bearer)).text());
    const names = new Set(series.filter((sample) => sample.name === "graphql_envelop_request").map((sample) => sample.labels.operationName));
    assert.equal(names.size, 101);
    assert.equal(total(series, "graphql_envelop_request", { operationName: "other" }), 10);
  });
});

describe("WEB_CONCURRENCY=2: the figures are both workers' added up", { timeout: 120_000 }, () => {
  let service: ServiceProcess;
  let origin: string;
  before(async () => {
    service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true", WEB_CONCURRENCY: "2", METRICS_PORT: "0", METRICS_TOKEN: TOKEN });
    origin = await service.origin;
  });
  after(async () => {
    service?.child.kill("SIGTERM");
    await service?.exited;
  });

  test("requests spread over the workers are all counted, on METRICS_PORT and through a worker alike", { timeout: 60_000 }, async () => {
    const startup = await startupRecord(service);
    const metricsUrl = /^(http:\/\/\S+\/metrics)/.exec(startup.metrics)![1]!;
    assert.notEqual(new URL(metricsUrl).port, new URL(origin).port);
    const requests = 24;
    for (let i = 0; i < requests; i++) assert.equal(await getOnNewConnection(`${origin}/api/users/2/`, tokenHeader(SEED_TOKEN)), 200);
    assert.equal(servingPids(service).size, 2, "both workers served some of the requests");
    assert.equal((await fetch(metricsUrl)).status, 401);
    const scraped = await fetch(metricsUrl, { headers: bearer });
    assert.equal(scraped.status, 200);
    const series = parseExposition(await scraped.text());
    assert.equal(total(series, "http_requests_total", { route: "/api/users/{id}/", status: "200" }), requests);
    assert.equal(total(series, "http_request_duration_seconds_count", { route: "/api/users/{id}/" }), requests);
    // The main port does not serve them when METRICS_PORT is set.
    assert.equal((await fetch(`${origin}/metrics`, { headers: bearer })).status, 404);
  });
});

describe("WEB_CONCURRENCY=2 with METRICS_TOKEN only: a worker answers with every worker's figures", { timeout: 120_000 }, () => {
  let service: ServiceProcess;
  let origin: string;
  before(async () => {
    service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true", WEB_CONCURRENCY: "2", METRICS_TOKEN: TOKEN });
    origin = await service.origin;
  });
  after(async () => {
    service?.child.kill("SIGTERM");
    await service?.exited;
  });

  test("each scrape, whichever worker takes it, counts every request", { timeout: 60_000 }, async () => {
    const requests = 10;
    for (let i = 0; i < requests; i++) assert.equal(await getOnNewConnection(`${origin}/api/users/2/`, tokenHeader(SEED_TOKEN)), 200);
    assert.equal(servingPids(service).size, 2, "both workers served some of the requests");
    for (let scrape = 0; scrape < 2; scrape++) {
      const response = await fetch(`${origin}/metrics`, { headers: bearer });
      assert.equal(response.status, 200);
      const series = parseExposition(await response.text());
      assert.equal(total(series, "http_requests_total", { route: "/api/users/{id}/", status: "200" }), requests);
    }
  });
});

/** The startup banner's fields (src/index.ts), once it has been printed. */
async function startupRecord(service: ServiceProcess): Promise<{ metrics: string }> {
  await service.sees(/"processes":"/);
  const record = logRecords(service.output()).find((candidate) => candidate.startup);
  return record!.startup as { metrics: string };
}

/**
 * A GET on a connection of its own (no keep-alive agent): node:cluster hands
 * connections to the workers in turn, so a run of these reaches both.
 */
function getOnNewConnection(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers, agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode!));
    }).on("error", reject);
  });
}

/** The processes whose access lines show a read of the user route. */
function servingPids(service: ServiceProcess): Set<unknown> {
  return new Set(logRecords(service.output()).filter((record) => record.route === "/api/users/{id}/").map((record) => record.pid));
}
