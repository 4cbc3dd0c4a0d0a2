// The REST route, as an old DRF client sees it: every row of SPEC section 4's
// error table, the seed page's example, the paths, the methods, the headers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, tokenHeader, type TestApp } from "./helpers.ts";
import { DEMO_FIXTURE, directoryFixture, SEED_TOKEN } from "./fixtures/directory.ts";

const SEED_EXAMPLE = JSON.parse(readFileSync(new URL("./fixtures/seed-example-response.json", import.meta.url), "utf8"));
const ALLOW = "GET, HEAD, OPTIONS";

async function expectDetail(response: Response, status: number, detail: string) {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(await response.text(), JSON.stringify({ detail }));
}

describe("the seed page's example", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(DEMO_FIXTURE);
  });

  test("GET /api/users/2/ with the example token returns the example response, key order included", async () => {
    const response = await app.request("GET", "/api/users/2/", tokenHeader(SEED_TOKEN));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("allow"), ALLOW);
    const text = await response.text();
    // Compact, with non-ASCII characters as they are.
    assert.equal(text, JSON.stringify(JSON.parse(text)));
    assert.ok(text.includes("پارسا حسینینژاد"));
    const body = JSON.parse(text);
    assert.deepEqual(Object.keys(body), Object.keys(SEED_EXAMPLE));
    assert.deepEqual(body, SEED_EXAMPLE);
  });

  test("the path without the trailing slash answers the same, with no redirect", async () => {
    const withSlash = await app.request("GET", "/api/users/2/", tokenHeader(SEED_TOKEN));
    const without = await app.request("GET", "/api/users/2", tokenHeader(SEED_TOKEN));
    assert.equal(without.status, 200);
    assert.equal(await without.text(), await withSlash.text());
  });

  test("leading zeros name the same user, as Django's <int:pk> reads them", async () => {
    const response = await app.request("GET", "/api/users/002/", tokenHeader(SEED_TOKEN));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).id, 2);
  });

  test("HEAD answers GET's status and headers with no body", async () => {
    const get = await app.request("GET", "/api/users/2/", tokenHeader(SEED_TOKEN));
    const head = await app.request("HEAD", "/api/users/2/", tokenHeader(SEED_TOKEN));
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("allow"), ALLOW);
    assert.equal(head.headers.get("content-type"), "application/json");
    assert.equal(head.headers.get("content-length"), String(Buffer.byteLength(await get.text())));
    assert.equal(await head.text(), "");
  });
});

describe("the error table of SPEC section 4", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });
  const get = (headers: Record<string, string> = {}, path = "/api/users/2/") => app.request("GET", path, headers);
  const admin = tokenHeader(keyFor("admin"));

  async function expect401(response: Response, detail: string) {
    assert.equal(response.headers.get("www-authenticate"), "Token");
    assert.equal(response.headers.get("allow"), ALLOW);
    await expectDetail(response, 401, detail);
  }

  test("no Authorization header: 401, credentials not provided", async () => {
    await expect401(await get(), "Authentication credentials were not provided.");
  });

  test("another scheme is not token authentication: 401, credentials not provided", async () => {
    await expect401(await get({ authorization: "Bearer abc" }), "Authentication credentials were not provided.");
    await expect401(await get({ authorization: "Basic dXNlcjpwYXNz" }), "Authentication credentials were not provided.");
  });

  test("Token with no key: 401", async () => {
    await expect401(await get({ authorization: "Token" }), "Invalid token header. No credentials provided.");
    await expect401(await get({ authorization: "Token   " }), "Invalid token header. No credentials provided.");
  });

  test("a key followed by more words: 401", async () => {
    await expect401(
      await get({ authorization: `Token ${keyFor("admin")} extra` }),
      "Invalid token header. Token string should not contain spaces.",
    );
  });

  test("a key whose bytes are not UTF-8: 401", async () => {
    // One character per byte, as Node hands header bytes over: 0xff never starts UTF-8.
    await expect401(
      await get({ authorization: "Token abc\u00ffdef" }),
      "Invalid token header. Token string should not contain invalid characters.",
    );
  });

  test("an unknown key: 401 invalid token; the key is case-sensitive", async () => {
    await expect401(await get({ authorization: "Token 0000000000000000000000000000000000000000" }), "Invalid token.");
    await expect401(await get({ authorization: `Token ${keyFor("admin").toUpperCase()}` }), "Invalid token.");
  });

  test("the word Token in any case, surrounded by any whitespace, is accepted", async () => {
    for (const header of [`token ${keyFor("admin")}`, `TOKEN \t ${keyFor("admin")}  `, `ToKeN ${keyFor("admin")}`]) {
      assert.equal((await get({ authorization: header })).status, 200, header);
    }
  });

  test("an inactive requester: 401 user inactive or deleted", async () => {
    await expect401(await get(tokenHeader(keyFor("inactiveAdmin"))), "User inactive or deleted.");
    await expect401(await get(tokenHeader(keyFor("inactiveReader"))), "User inactive or deleted.");
  });

  test("requesters the rules turn away: 403", async () => {
    for (const name of ["plainStaff", "regular", "readerNotStaff"]) {
      const response = await get(tokenHeader(keyFor(name)));
      assert.equal(response.headers.get("www-authenticate"), null, name);
      await expectDetail(response, 403, "You do not have permission to perform this action.");
    }
  });

  test("admins, and staff with UserPermission directly or through a group, may read", async () => {
    for (const name of ["admin", "groupReader", "directReader"]) {
      assert.equal((await get(tokenHeader(keyFor(name)))).status, 200, name);
    }
  });

  test("no such user, and a user that is neither staff nor admin: the same 404", async () => {
    for (const path of ["/api/users/999/", "/api/users/3/", "/api/users/14/", "/api/users/99999999999999999999/"]) {
      const response = await get(admin, path);
      assert.equal(response.headers.get("allow"), ALLOW, path);
      await expectDetail(response, 404, "Not found.");
    }
  });

  test("an id that is not digits does not match the route: JSON 404 before any authentication", async () => {
    for (const path of ["/api/users/abc/", "/api/users/-1/", "/api/users/1.0/", "/api/users/%20/", "/api/users//"]) {
      await expectDetail(await get({}, path), 404, "Not found.");
    }
  });

  test("another method by a permitted requester: 405, with Allow", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const response = await app.request(method, "/api/users/2/", admin);
      assert.equal(response.headers.get("allow"), ALLOW);
      await expectDetail(response, 405, `Method "${method}" not allowed.`);
    }
  });

  test("the checks run in DRF's order: a POST without credentials is 401, by a forbidden requester 403", async () => {
    await expect401(await app.request("POST", "/api/users/2/"), "Authentication credentials were not provided.");
    await expectDetail(await app.request("DELETE", "/api/users/999/", tokenHeader(keyFor("regular"))), 403, "You do not have permission to perform this action.");
    // Method before lookup: a POST to a missing user is still 405.
    await expectDetail(await app.request("POST", "/api/users/999/", admin), 405, 'Method "POST" not allowed.');
  });

  test("OPTIONS describes the view, after authentication", async () => {
    const response = await app.request("OPTIONS", "/api/users/2/", admin);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("allow"), ALLOW);
    assert.deepEqual((await response.json()).renders, ["application/json"]);
    assert.equal((await app.request("OPTIONS", "/api/users/2/")).status, 401);
  });

  test("HEAD on an error answers its status and headers without a body", async () => {
    const response = await app.request("HEAD", "/api/users/2/");
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), "Token");
    assert.equal(await response.text(), "");
  });
});

describe("derived values", () => {
  const WINDOW = 300;
  let app: TestApp;
  const iso = (ms: number) => new Date(ms).toISOString();
  before(async () => {
    const now = Date.now();
    const fixture = directoryFixture();
    fixture.users.push(
      { id: 40, username: "media", gender: "female", is_staff: true, avatar: "avatars/my pic ü.png", first_name: "  ", last_name: null, last_seen_at: iso(now - 60_000) },
      { id: 41, username: "remote", gender: "male", is_staff: true, avatar: "https://cdn.example.com/a.png", first_name: "Only", last_seen_at: iso(now - (WINDOW + 60) * 1000) },
      { id: 42, username: "lined", gender: "other", is_admin: true, first_name: "a\u2028b", last_name: "c\u2029d" },
    );
    app = await createTestApp(fixture, { ONLINE_WINDOW_SECONDS: String(WINDOW) });
  });
  const body = async (id: number, headers = tokenHeader(keyFor("admin"))) =>
    (await app.request("GET", `/api/users/${id}/`, headers)).json();

  test("a media avatar becomes an absolute URL on the request's origin, quoted as Django quotes it", async () => {
    assert.equal((await body(40)).avatar, "http://users.test/media/avatars/my%20pic%20%C3%BC.png");
  });

  test("an absolute avatar URL is returned as stored; null stays null", async () => {
    assert.equal((await body(41)).avatar, "https://cdn.example.com/a.png");
    assert.equal((await body(2)).avatar, null);
  });

  test("full_name: trimmed, null when nothing is left", async () => {
    assert.equal((await body(40)).full_name, null);
    assert.equal((await body(41)).full_name, "Only");
  });

  test("is_online follows last_seen_at and the window", async () => {
    assert.equal((await body(40)).is_online, true);
    assert.equal((await body(41)).is_online, false);
  });

  test("a requester's own is_online turns true once it has made a request", async () => {
    assert.equal((await body(10)).is_online, true);
  });

  test("U+2028 and U+2029 are escaped, as DRF's renderer does", async () => {
    const response = await app.request("GET", "/api/users/42/", tokenHeader(keyFor("admin")));
    const text = await response.text();
    assert.ok(text.includes('"first_name":"a\\u2028b"'));
    assert.equal(JSON.parse(text).full_name, "a\u2028b c\u2029d");
  });

  test("permissions_data merges direct and group permissions, each once, by id", async () => {
    const { permissions_data, groups_data } = await body(11);
    assert.deepEqual(permissions_data.map((p: { id: number }) => p.id), [1, 2, 3]);
    assert.deepEqual(groups_data, [{ id: 2, name: "User readers" }, { id: 3, name: "Reports" }]);
  });

  test("timestamps render as Python's isoformat: six digits, or none when zero", async () => {
    const user = await body(10);
    assert.equal(user.created_at, "2026-03-01T08:00:00Z");
    assert.equal(user.updated_at, "2026-03-01T08:00:00.000001Z");
    assert.equal(user.last_login, null);
  });
});

describe("configured media URLs", () => {
  test("PUBLIC_URL and MEDIA_URL replace the request's origin and /media/", async () => {
    const fixture = directoryFixture();
    fixture.users.push({ id: 40, username: "media", gender: "female", is_staff: true, avatar: "avatars/2.png" });
    const app = await createTestApp(fixture, { PUBLIC_URL: "https://users.example.com/", MEDIA_URL: "/files" });
    const response = await app.request("GET", "/api/users/40/", tokenHeader(keyFor("admin")));
    assert.equal((await response.json()).avatar, "https://users.example.com/files/avatars/2.png");
  });
});

// Uses are written within a second, out of the request's way
// (src/auth/use-recorder.ts); the tests flush them at once.
describe("last_seen_at", () => {
  test("moves forward at most once a minute per requester, written after the request", async () => {
    const app = await createTestApp(directoryFixture());
    const admin = tokenHeader(keyFor("admin"));
    const lastSeen = async () => (await app.db.user.findUniqueOrThrow({ where: { id: 10 } })).lastSeenAt;
    assert.equal(await lastSeen(), null);
    app.recorder.take();
    const self = await app.request("GET", "/api/users/10/", admin);
    assert.equal((await self.json()).is_online, true, "the very first request already counts");
    assert.ok(!app.recorder.take().some((sql) => /^UPDATE/i.test(sql)), "the request itself writes nothing");
    await app.app.uses.flush();
    const first = await lastSeen();
    assert.ok(first);
    app.recorder.take();
    await app.request("GET", "/api/users/2/", admin);
    await app.app.uses.flush();
    assert.deepEqual(await lastSeen(), first);
    assert.ok(!app.recorder.take().some((sql) => /^UPDATE "User"/i.test(sql)), "a second request within the minute writes nothing");
  });

  test("three requesters' first requests are written by two statements in one transaction", async () => {
    const app = await createTestApp(directoryFixture());
    app.recorder.take();
    for (const name of ["admin", "groupReader", "directReader"]) await app.request("GET", "/api/users/2/", tokenHeader(keyFor(name)));
    await app.app.uses.flush();
    const writes = app.recorder.take().filter((sql) => /^UPDATE/i.test(sql));
    assert.equal(writes.length, 2, writes.join("\n"));
    const seen = await app.db.user.count({ where: { lastSeenAt: { not: null } } });
    assert.equal(seen, 3);
  });

  test("moves again once the last one is more than a minute old, and no further back than it was", async () => {
    const app = await createTestApp(directoryFixture());
    const admin = tokenHeader(keyFor("admin"));
    const lastSeen = async () => (await app.db.user.findUniqueOrThrow({ where: { id: 10 } })).lastSeenAt!;
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await app.db.user.update({ where: { id: 10 }, data: { lastSeenAt: twoMinutesAgo } });
    const before = Date.now();
    await app.request("GET", "/api/users/2/", admin);
    await app.app.uses.flush();
    assert.ok((await lastSeen()).getTime() >= before, "moved to the request's time");

    const thirtySecondsAgo = new Date(Date.now() - 30_000);
    await app.db.user.update({ where: { id: 10 }, data: { lastSeenAt: thirtySecondsAgo } });
    await app.request("GET", "/api/users/2/", admin);
    await app.app.uses.flush();
    assert.deepEqual(await lastSeen(), thirtySecondsAgo, "within the minute: left as it was");
  });
});

describe("other paths", () => {
  test("an unknown path is a JSON 404; /healthz is 200", async () => {
    const app = await createTestApp(directoryFixture());
    await expectDetail(await app.request("GET", "/nope"), 404, "Not found.");
    const health = await app.request("GET", "/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
  });
});
