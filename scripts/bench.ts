// Prints what a request costs, in-process through the app's fetch handler
// (no network): latency, throughput, SQL statements and memory, for the REST
// retrieve and GraphQL queries of one and of fifteen users with every nested
// list. Usage: npm run bench [-- --requests 2000] ; BENCH_DATABASE_URL picks
// the database (default: a new SQLite file; a PostgreSQL URL must name an
// empty database).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { print } from "graphql";
import { parseDatabaseUrl } from "../src/database-url.ts";
import { createDatabase } from "../src/db.ts";
import { StatementRecorder } from "../src/db-statement-recorder.ts";
import { parseConfig } from "../src/env.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { createLogger } from "../src/logger.ts";
import { applyMigrations } from "../src/migrate.ts";
import { createApp } from "../src/server.ts";
import { keyFor } from "../test/fixtures/keys.ts";
import { wideFixture } from "../test/fixtures/wide.ts";
import { FifteenUsersDocument, UserEverythingDocument } from "../test/generated/graphql.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "1000" } } });
const requests = Number(values.requests);

const directory = mkdtempSync(join(tmpdir(), "users-gateway-bench-"));
const url = process.env.BENCH_DATABASE_URL || `file:${join(directory, "bench.db")}`;
const target = parseDatabaseUrl(url);
await applyMigrations(target);
const recorder = new StatementRecorder();
const db = createDatabase(target, { wrapAdapter: recorder.wrap });
await importFixture(db, parseFixture(wideFixture(30, 6)));
const config = parseConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" });
const app = createApp({ db, config, logger: createLogger("silent") });
const authorization = `Token ${keyFor("admin")}`;

const graphqlRequest = (query: string, variables: Record<string, string>) => () =>
  new Request("http://bench.local/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({ query, variables }),
  });
const fifteen = Object.fromEntries("abcdefghijklmno".split("").map((name, i) => [name, String(2 * (i + 1))]));
const scenarios: [string, () => Request][] = [
  ["REST GET /api/users/8/", () => new Request("http://bench.local/api/users/8/", { headers: { authorization } })],
  ["GraphQL user, every field", graphqlRequest(print(UserEverythingDocument), { id: "8" })],
  ["GraphQL fifteen aliased users", graphqlRequest(print(FifteenUsersDocument), fifteen)],
];

console.log(`engine ${target.engine}, ${requests} sequential requests per scenario, Node ${process.version}`);
console.log("scenario                          p50 ms   p95 ms   req/s   SQL/req   RSS MiB");
for (const [name, makeRequest] of scenarios) {
  for (let i = 0; i < Math.min(100, requests); i++) await (await app.fetch(makeRequest())).text();
  recorder.take();
  const durations: number[] = [];
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    const response = await app.fetch(makeRequest());
    await response.text();
    if (response.status !== 200) throw new Error(`${name}: status ${response.status}`);
    durations.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]!.toFixed(2);
  const statements = recorder.take().length / requests;
  const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
  console.log(
    `${name.padEnd(32)} ${at(0.5).padStart(7)} ${at(0.95).padStart(8)} ${(requests / elapsed).toFixed(0).padStart(7)} ${statements.toFixed(1).padStart(9)} ${rss.padStart(9)}`,
  );
}
await db.$disconnect();
rmSync(directory, { recursive: true, force: true });
