// What a browser is allowed to do with the API's answers: CORS only for the
// origins in CORS_ORIGINS (none by default), and the security headers every
// answer carries. In-process, through the app's fetch handler.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ConfigError, parseConfig } from "../src/env.ts";
import { SECURITY_HEADERS } from "../src/http/response-headers.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, tokenHeader, type TestApp } from "./helpers.ts";

const admin = tokenHeader(keyFor("admin"));
const LISTED = "https://app.example.com";
const OTHER = "https://evil.example.net";
const QUERY = JSON.stringify({ query: "{ me { username } }" });

const graphqlPost = (app: TestApp, origin: string) =>
  app.app.fetch(
    new Request("http://users.test/graphql", {
      method: "POST",
      headers: { ...admin, origin, "content-type": "application/json", accept: "application/json" },
      body: QUERY,
    }),
  );
const preflight = (app: TestApp, path: string, origin: string) =>
  app.app.fetch(
    new Request(`http://users.test${path}`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    }),
  );
const restGet = (app: TestApp, origin: string, id = 2) =>
  app.app.fetch(new Request(`http://users.test/api/users/${id}/`, { headers: { ...admin, origin } }));

function assertNoCors(response: Response) {
  for (const name of ["access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods", "access-control-expose-headers"]) {
    assert.equal(response.headers.get(name), null, `${name} was sent`);
  }
}

describe("CORS with no CORS_ORIGINS (the default): no origin may read an answer", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });

  test("GraphQL, the REST route and a preflight carry no CORS headers, whatever the Origin", async () => {
    const graphql = await graphqlPost(app, OTHER);
    assert.equal(graphql.status, 200);
    assertNoCors(graphql);
    const rest = await restGet(app, OTHER);
    assert.equal(rest.status, 200);
    assertNoCors(rest);
    assertNoCors(await preflight(app, "/graphql", OTHER));
  });
});

describe("CORS with CORS_ORIGINS: listed origins only, without credentials", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture(), { CORS_ORIGINS: `${LISTED}, http://localhost:5173/` });
  });

  test("a listed origin's preflight is allowed the methods and headers the API takes", async () => {
    const response = await preflight(app, "/graphql", LISTED);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("access-control-allow-origin"), LISTED);
    assert.match(response.headers.get("access-control-allow-methods")!, /\bPOST\b/);
    assert.match(response.headers.get("access-control-allow-headers")!, /\bAuthorization\b/);
    assert.equal(response.headers.get("access-control-allow-credentials"), null, "the API takes a token header, never a cookie");
    assert.match(response.headers.get("vary")!, /\bOrigin\b/);
  });

  test("a listed origin may read GraphQL and REST answers; another origin, or none, may not", async () => {
    const listed = await graphqlPost(app, "http://localhost:5173");
    assert.equal(listed.headers.get("access-control-allow-origin"), "http://localhost:5173");
    assert.equal(listed.headers.get("access-control-expose-headers"), "X-Request-Id", "the page may read the request's id");
    assert.deepEqual(await listed.json(), { data: { me: { username: "admin" } } });
    const rest = await restGet(app, LISTED);
    assert.equal(rest.status, 200);
    assert.equal(rest.headers.get("access-control-allow-origin"), LISTED);
    assert.equal(rest.headers.get("vary"), "Accept, Origin");

    const other = await graphqlPost(app, OTHER);
    assertNoCors(other);
    assert.match(other.headers.get("vary")!, /\bOrigin\b/, "a cache must not hand the listed origin's answer to another");
    assertNoCors(await preflight(app, "/graphql", OTHER));
    assertNoCors(await restGet(app, OTHER));
  });

  test("an OPTIONS that is not a preflight still gets DRF's metadata on the REST route", async () => {
    const response = await app.app.fetch(new Request("http://users.test/api/users/2/", { method: "OPTIONS", headers: admin }));
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { name: string }).name, "Retrieve User");
  });
});

describe("security headers", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });

  test("every answer carries them; GraphiQL's page keeps its own content security policy", async () => {
    const answers = {
      graphql: await graphqlPost(app, LISTED),
      rest: await restGet(app, LISTED),
      "rest 404": await restGet(app, LISTED, 999_999),
      "not found": await app.app.fetch(new Request("http://users.test/nowhere")),
      health: await app.app.fetch(new Request("http://users.test/healthz")),
    };
    for (const [name, response] of Object.entries(answers)) {
      for (const [header, value] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers.get(header), value, `${name}: ${header}`);
      assert.equal(response.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'", name);
    }
    const page = await app.app.fetch(new Request("http://users.test/graphql", { headers: { accept: "text/html" } }));
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy")!, /^default-src .self.;/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
  });
});

test("CORS_ORIGINS takes origins only, and says what it got", () => {
  for (const value of ["*", "https://app.example.com/path", "app.example.com", "ftp://files.example.com"]) {
    assert.throws(
      () => parseConfig({ CORS_ORIGINS: value }),
      (error: ConfigError) => error.problems.some((problem) => problem.includes("CORS_ORIGINS") && problem.includes(JSON.stringify(value))),
      value,
    );
  }
  assert.deepEqual(parseConfig({ CORS_ORIGINS: "https://a.example, http://localhost:5173/" }).http.corsOrigins, ["https://a.example", "http://localhost:5173"]);
});
