// WEB_CONCURRENCY=N: the starting process prepares the database, then N
// node:cluster workers serve the port; one that dies is replaced, and SIGTERM
// drains them all. On both engines, as real processes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { describe, test } from "node:test";
import { hashTokenKey } from "../src/auth/token-keys.ts";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { createDatabase } from "../src/db/client.ts";
import { SEED_TOKEN } from "./fixtures/directory.ts";
import { createEmptyDatabaseUrl, tokenHeader, until } from "./helpers.ts";
import { startService } from "./service-process.ts";

/** The live child processes of `pid` that run Node (workers; not a helper such as esbuild). */
function workerPids(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0")[0] === process.execPath;
    } catch {
      return false; // gone meanwhile
    }
  });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("WEB_CONCURRENCY=2", () => {
  test("two workers serve; one that dies is replaced; SIGTERM drains them all and exits 0", async () => {
    const service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true", WEB_CONCURRENCY: "2" });
    const origin = await service.origin;
    const primary = service.child.pid!;
    try {
      await service.sees(/"processes":"2 workers"/);
      const first = workerPids(primary);
      assert.equal(first.length, 2, `two workers under the primary, got ${first.join(", ")}`);

      const read = async () => {
        const response = await fetch(`${origin}/api/users/2/`, { headers: tokenHeader(SEED_TOKEN) });
        assert.equal(response.status, 200);
        return (await response.json()) as { username: string };
      };
      // Several at once: both workers take connections, and answer alike.
      const answers = await Promise.all(Array.from({ length: 20 }, read));
      assert.equal(new Set(answers.map((answer) => JSON.stringify(answer))).size, 1);

      process.kill(first[0]!, "SIGKILL");
      await service.sees(new RegExp(`Worker ${first[0]} exited \\(SIGKILL\\); starting another`));
      await until("a replacement worker", () => workerPids(primary).length === 2 && !workerPids(primary).includes(first[0]!), { withinMs: 30_000 });
      for (let i = 0; i < 5; i++) await read();
    } finally {
      const workers = workerPids(primary);
      service.child.kill("SIGTERM");
      const { code, output } = await service.exited;
      assert.equal(code, 0, output);
      assert.match(output, /SIGTERM: telling 2 workers to drain/);
      for (const worker of workers) assert.equal(isAlive(worker), false, `worker ${worker} is gone`);
    }
  });

  test("a worker that cannot listen stops the start with exit code 1 and its reason", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), PORT: String(port), WEB_CONCURRENCY: "2" });
      const { code, output } = await service.exited;
      assert.equal(code, 1);
      assert.match(output, new RegExp(`could not start: port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(output.trim().split("\n").at(-1)!, /^users-gateway could not start: a worker exited \(code 1\) before listening/);
      assert.doesNotMatch(output, /\n\s+at /, "no stack trace");
    } finally {
      blocker.close();
    }
  });
});

/**
 * Starts a GraphQL POST whose body is only half sent: a request in flight,
 * as a slow client makes one. `finish()` sends the rest and resolves with
 * the status and body of the answer.
 */
function requestInFlight(origin: string) {
  const body = JSON.stringify({ query: "{ user(id: 2) { username } }" });
  const half = Math.floor(body.length / 2);
  const client = httpRequest(`${origin}/graphql`, {
    method: "POST",
    headers: { ...tokenHeader(SEED_TOKEN), "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    client.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    client.on("error", reject);
  });
  client.write(body.slice(0, half));
  return {
    finish: () => {
      client.end(body.slice(half));
      return answer;
    },
  };
}

describe("shutdown with a request in flight", () => {
  for (const webConcurrency of ["1", "2"]) {
    test(`WEB_CONCURRENCY=${webConcurrency}: on SIGTERM the request in flight is answered, then the service exits 0`, async () => {
      const databaseUrl = await createEmptyDatabaseUrl();
      const service = startService({ DATABASE_URL: databaseUrl, DEMO_DATA: "true", WEB_CONCURRENCY: webConcurrency });
      const origin = await service.origin;
      const slow = requestInFlight(origin);
      // The request has reached a process (its head is read) before the signal.
      await new Promise((resolve) => setTimeout(resolve, 500));
      service.child.kill("SIGTERM");
      await service.sees(/SIGTERM: /);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { status, body } = await slow.finish();
      assert.equal(status, 200);
      assert.deepEqual(JSON.parse(body), { data: { user: { username: "moratti120" } } });
      const { code, output } = await service.exited;
      assert.equal(code, 0, output);
      await assert.rejects(fetch(`${origin}/healthz`), "the port is closed once it has exited");
      // The request's use, gathered to be written within a second, was written before the exit.
      const db = createDatabase(parseDatabaseUrl(databaseUrl));
      try {
        const token = await db.apiToken.findUniqueOrThrow({ where: { keyHash: hashTokenKey(SEED_TOKEN) }, include: { user: true } });
        assert.ok(token.lastUsedAt && token.user.lastSeenAt, "the use was recorded");
      } finally {
        await db.$disconnect();
      }
    });
  }
});
