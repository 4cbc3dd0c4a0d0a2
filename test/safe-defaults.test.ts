// The service's defaults under a security review, in-process through the
// app's fetch handler: GraphiQL's weight, Host rules, what each endpoint
// accepts, error masking, and a read that survives a failed write.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describeDatabase, parseDatabaseUrl } from "../src/db/url.ts";
import { ConfigError, parseConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";
import { createApp } from "../src/server.ts";
import { directoryFixture, requesters } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { collectingLogger, createTestApp, TEST_ENGINE, tokenHeader, type TestApp } from "./helpers.ts";

const admin = tokenHeader(keyFor("admin"));
const fetchPath = (app: TestApp, path: string, init: RequestInit = {}, origin = "http://users.test") =>
  app.app.fetch(new Request(origin + path, init));

describe("GraphiQL is a small page and cacheable files", () => {
  let app: TestApp;
  let page: string;
  let assetPaths: string[];
  before(async () => {
    app = await createTestApp(directoryFixture());
    const response = await fetchPath(app, "/graphql", { headers: { accept: "text/html" } });
    assert.equal(response.status, 200);
    page = await response.text();
    const script = /<script src="([^"]+)"/.exec(page)![1]!;
    const scriptText = await (await fetchPath(app, script)).text();
    // The page names the script, styles and icon; the script names Monaco's workers.
    assetPaths = [...new Set([...page.matchAll(/(?:href|src)="(\/graphiql\/[^"]+)"/g), ...scriptText.matchAll(/"(\/graphiql\/[^"]+\.worker\.[0-9a-f]+\.js)"/g)].map((m) => m[1]!))];
  });

  test("the page itself is a few kilobytes (it was 9 MB of inline HTML) and runs no inline script", () => {
    assert.ok(Buffer.byteLength(page) < 4_000, `${Buffer.byteLength(page)} bytes`);
    assert.equal(assetPaths.filter((path) => /\.worker\.[0-9a-f]{16}\.js$/.test(path)).length, 3, "three Monaco workers");
    for (const [, attributes] of page.matchAll(/<script([^>]*)>/g)) {
      assert.match(attributes!, /src=|type="application\/json"/, "every script is a file or inert JSON");
    }
  });

  test("the page forbids loading anything from elsewhere", async () => {
    const response = await fetchPath(app, "/graphql", { headers: { accept: "text/html" } });
    assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  });

  test("each file is immutable by name, revalidates by ETag, and is compressed when accepted", async () => {
    let compressedTotal = 0;
    for (const path of assetPaths) {
      const plain = await fetchPath(app, path);
      assert.equal(plain.status, 200, path);
      assert.equal(plain.headers.get("content-encoding"), null);
      assert.match(plain.headers.get("cache-control") ?? "", /immutable/);
      assert.match(plain.headers.get("vary") ?? "", /Accept-Encoding/);
      const body = Buffer.from(await plain.arrayBuffer());
      const etag = plain.headers.get("etag")!;
      assert.match(etag, /^"[0-9a-f]{16}"$/);
      assert.ok(path.includes(etag.slice(1, -1)), "the name carries the content's hash");

      const brotli = await fetchPath(app, path, { headers: { "accept-encoding": "gzip, deflate, br" } });
      assert.equal(brotli.headers.get("content-encoding"), "br");
      const brotliBody = Buffer.from(await brotli.arrayBuffer());
      assert.deepEqual(brotliDecompressSync(brotliBody), body);
      compressedTotal += brotliBody.length;

      const gzip = await fetchPath(app, path, { headers: { "accept-encoding": "gzip;q=1, br;q=0" } });
      assert.equal(gzip.headers.get("content-encoding"), "gzip");
      assert.deepEqual(gunzipSync(Buffer.from(await gzip.arrayBuffer())), body);

      const revalidated = await fetchPath(app, path, { headers: { "if-none-match": etag } });
      assert.equal(revalidated.status, 304);
      assert.equal(await revalidated.text(), "");
    }
    assert.ok(compressedTotal < 3_000_000, `all files, compressed: ${compressedTotal} bytes`);
  });

  test("unknown files under /graphiql/ are a JSON 404", async () => {
    const response = await fetchPath(app, "/graphiql/graphiql.0000000000000000.js");
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { detail: "Not found." });
  });

  test("with GRAPHIQL=false a browser gets a JSON 404, and no file is served", async () => {
    const off = await createTestApp(directoryFixture(), { GRAPHIQL: "false" });
    const response = await fetchPath(off, "/graphql", { headers: { accept: "text/html,application/xhtml+xml" } });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { detail: "Not found." });
    assert.equal((await fetchPath(off, assetPaths[0]!)).status, 404);
  });
});

describe("Host rules", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture(), { ALLOWED_HOSTS: "users.example.com, .example.org" });
  });

  for (const [origin, allowed] of [
    ["http://users.example.com", true],
    ["https://USERS.example.com:8443", true],
    ["http://example.org", true],
    ["http://api.example.org", true],
    ["http://evil.example", false],
    ["http://users.example.com.evil.example", false],
    ["http://notexample.org", false],
  ] as const) {
    test(`ALLOWED_HOSTS ${allowed ? "admits" : "refuses (400)"} ${origin}`, async () => {
      const response = await fetchPath(app, "/api/users/2/", { headers: admin }, origin);
      assert.equal(response.status, allowed ? 200 : 400);
      if (!allowed) assert.match((await response.json()).detail, /is not in ALLOWED_HOSTS/);
    });
  }

  test("so an unlisted Host cannot put its name into avatar URLs", async () => {
    const response = await fetchPath(app, "/api/users/1/", { headers: { ...admin, host: "evil.example" } }, "http://users.example.com");
    assert.equal(response.status, 400);
    assert.doesNotMatch(await response.text(), /evil\.example\/media/);
  });

  test("/healthz answers whatever the Host: probes send the pod's address", async () => {
    const response = await fetchPath(app, "/healthz", {}, "http://10.1.2.3:4000");
    assert.equal(response.status, 200);
  });
});

describe("what each endpoint accepts", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });

  test("/healthz answers GET and HEAD only", async () => {
    assert.equal((await fetchPath(app, "/healthz")).status, 200);
    const head = await fetchPath(app, "/healthz", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await fetchPath(app, "/healthz", { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get("allow"), "GET, HEAD");
    }
  });

  test("GraphQL takes a JSON POST or a GET; any other body is 415 before it is parsed", async () => {
    const query = "{ me { username } }";
    const json = await fetchPath(app, "/graphql", {
      method: "POST",
      headers: { ...admin, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ query }),
    });
    assert.deepEqual(await json.json(), { data: { me: { username: "admin" } } });
    const viaGet = await fetchPath(app, `/graphql?query=${encodeURIComponent(query)}`, { headers: { ...admin, accept: "application/json" } });
    assert.deepEqual(await viaGet.json(), { data: { me: { username: "admin" } } });

    const form = new FormData();
    form.set("operations", JSON.stringify({ query }));
    form.set("map", "{}");
    const others: [string, RequestInit][] = [
      ["multipart/form-data", { body: form }],
      ["application/x-www-form-urlencoded", { body: new URLSearchParams({ query }) }],
      ["application/graphql", { body: query, headers: { "content-type": "application/graphql" } }],
      ["text/plain", { body: JSON.stringify({ query }), headers: { "content-type": "text/plain" } }],
    ];
    for (const [name, init] of others) {
      const response = await fetchPath(app, "/graphql", { method: "POST", ...init, headers: { ...admin, ...init.headers } });
      assert.equal(response.status, 415, name);
      const body = await response.json();
      assert.equal(body.errors[0].extensions.code, "UNSUPPORTED_MEDIA_TYPE", name);
      assert.equal(body.data, undefined, `${name}: nothing ran`);
    }
  });

  test("/ answers a small JSON index of the endpoints", async () => {
    const response = await fetchPath(app, "/");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      graphql: "/graphql",
      graphiql: "/graphql (open in a browser)",
      user: "/api/users/{id}/",
      schema: "/api/schema/",
      docs: "/api/docs/",
      health: "/healthz",
    });
  });
});

describe("unexpected errors stay masked whatever NODE_ENV says", () => {
  const nodeEnv = process.env.NODE_ENV;
  let app: TestApp;
  before(async () => {
    // Yoga's own default shows messages and stacks when NODE_ENV=development.
    process.env.NODE_ENV = "development";
    app = await createTestApp(directoryFixture());
    await app.db.$executeRawUnsafe(`ALTER TABLE "Group" RENAME COLUMN "name" TO "title"`);
  });
  after(() => {
    process.env.NODE_ENV = nodeEnv;
  });
  const query = "{ user(id: 2) { groups { name } } }";

  test("masked by default", async () => {
    const result = await app.graphql(query, {}, admin);
    assert.deepEqual(result.errors?.map((error) => error.message), ["Unexpected error."]);
    assert.doesNotMatch(JSON.stringify(result), /title|stack|originalError|\.ts:\d+/);
  });

  test("shown only with DEBUG_ERRORS=true", async () => {
    const config = parseConfig({ DATABASE_URL: app.target.url, LOG_LEVEL: "silent", DEBUG_ERRORS: "true" });
    const debug = createApp({ db: app.db, config, logger: createLogger("silent") });
    const response = await debug.fetch(
      new Request("http://users.test/graphql", {
        method: "POST",
        headers: { ...admin, "content-type": "application/json" },
        body: JSON.stringify({ query }),
      }),
    );
    assert.match(JSON.stringify(await response.json()), /originalError/);
  });
});

describe("a failed last_seen_at write", () => {
  test("is logged and the read is served", async () => {
    const app = await createTestApp(directoryFixture());
    // The database refuses the write for real, as a read-only replica or a locked file would.
    if (TEST_ENGINE === "sqlite") {
      await app.db.$executeRawUnsafe(
        `CREATE TRIGGER refuse_writes BEFORE UPDATE ON "User" BEGIN SELECT RAISE(ABORT, 'the database refuses writes'); END`,
      );
    } else {
      await app.db.$executeRawUnsafe(
        `CREATE FUNCTION refuse_writes() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the database refuses writes'; END $$ LANGUAGE plpgsql`,
      );
      await app.db.$executeRawUnsafe(`CREATE TRIGGER refuse_writes BEFORE UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION refuse_writes()`);
    }
    const { logger, records } = collectingLogger("warn");
    const served = createApp({ db: app.db, config: app.config, logger });
    const response = await served.fetch(new Request("http://users.test/api/users/2/", { headers: tokenHeader(keyFor("groupReader")) }));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).username, "moratti120");
    await served.close();
    assert.deepEqual(records.map((record) => record.level), ["warn"]);
    assert.match(records[0]!.msg, /Could not record that 1 users were seen and 1 tokens used \(the requests were served\):[\s\S]*the database refuses writes/);
  });
});

describe("configuration errors", () => {
  const problems = (env: Record<string, string>) => {
    try {
      parseConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  test("every message shows the value it got", () => {
    const found = problems({ LOG_LEVEL: "verbose", GRAPHIQL: "yes", PORT: "80a", MEDIA_URL: "media", DEMO_DATA: "maybe", WEB_CONCURRENCY: "0" });
    assert.deepEqual(found.sort(), [
      'Invalid configuration: DEMO_DATA: expected true or false (unset: only on a new default SQLite file), got "maybe"',
      'Invalid configuration: GRAPHIQL: expected true or false, got "yes"',
      'Invalid configuration: LOG_LEVEL: expected one of debug, info, warn, error, silent, got "verbose"',
      'Invalid configuration: MEDIA_URL: expected a path starting with / or an http(s) URL, got "media"',
      'Invalid configuration: PORT: expected a whole number from 0 to 65535, got "80a"',
      'Invalid configuration: WEB_CONCURRENCY: expected a whole number from 1 to 64, got "0"',
    ]);
  });

  test("the request body limit is a whole number of bytes, 1 KiB or more", () => {
    assert.equal(parseConfig({}).http.maxBodyBytes, 102_400);
    assert.equal(parseConfig({ MAX_BODY_BYTES: "2048" }).http.maxBodyBytes, 2048);
    assert.deepEqual(problems({ MAX_BODY_BYTES: "100KB" }), [
      'Invalid configuration: MAX_BODY_BYTES: expected a whole number from 1024 to 104857600, got "100KB"',
    ]);
    assert.deepEqual(problems({ MAX_BODY_BYTES: "100" }), [
      'Invalid configuration: MAX_BODY_BYTES: expected a whole number from 1024 to 104857600, got "100"',
    ]);
  });

  test("a SQLite file in a folder that does not exist is refused, and no folder is made", () => {
    const [problem] = problems({ DATABASE_URL: "file:/users-gateway-no-such-folder/x.db" });
    assert.match(problem!, /DATABASE_URL: the folder \/users-gateway-no-such-folder does not exist/);
    assert.equal(existsSync("/users-gateway-no-such-folder"), false);
  });

  test("a PostgreSQL password never shows, in the userinfo or in the query", () => {
    const url = "postgresql://gateway:s3cret@db.internal:5432/users?sslmode=require&password=s3cret";
    const config = parseConfig({ DATABASE_URL: url });
    assert.equal(config.database.engine, "postgres");
    const shown = describeDatabase(parseDatabaseUrl(url));
    assert.doesNotMatch(shown, /s3cret/);
    assert.match(shown, /sslmode=require/);
    assert.doesNotMatch(problems({ DATABASE_URL: "postgresql://gateway:s3cret@[bad/users" }).join("\n"), /s3cret/);
  });
});
