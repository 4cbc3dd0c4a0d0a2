// The service as `npm start` runs it, on a real port: migrations, demo data,
// the seed page's Python snippet, a clean stop, and a refused configuration.
import assert from "node:assert/strict";
import { spawnSync, type ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { createEmptyDatabaseUrl } from "./helpers.ts";
import { pythonWithRequests, skipWithoutPython } from "./requirements.ts";
import { startService } from "./service-process.ts";

const root = new URL("..", import.meta.url);
const SEED_EXAMPLE_PATH = new URL("./fixtures/seed-example-response.json", import.meta.url);

describe("npm start on a fresh SQLite file", () => {
  let child: ChildProcess;
  let origin: string;
  before(async () => {
    const service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true" });
    child = service.child;
    origin = await service.origin;
  });
  after(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });

  test("GET /healthz answers 200", async () => {
    const response = await fetch(`${origin}/healthz`);
    assert.equal(response.status, 200);
  });

  test("the seed page's Python snippet, pointed at /api/users/2/, prints the example response", { skip: skipWithoutPython() }, () => {
    const python = pythonWithRequests()!;
    const snippet = [
      "import requests",
      "",
      "api = requests.Session()",
      "api.headers.update({'Authorization': 'Token f4e75eab6e0f663a972d145478d6fc4b81762070'})",
      `response = api.get('${origin}/api/users/2/')`,
      "print(response.json())",
    ].join("\n");
    const printed = spawnSync(python, ["-c", snippet], { encoding: "utf8" });
    assert.equal(printed.status, 0, printed.stderr);
    // What Python prints for the page's example, the same way.
    const expected = spawnSync(python, ["-c", `import json,sys; print(json.load(open(sys.argv[1], encoding='utf-8')))`, SEED_EXAMPLE_PATH.pathname], {
      encoding: "utf8",
    });
    assert.equal(printed.stdout, expected.stdout);
  });

  test("GraphQL answers over the port", async () => {
    const response = await fetch(`${origin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Token f4e75eab6e0f663a972d145478d6fc4b81762070" },
      body: JSON.stringify({ query: "{ user(id: 2) { username invitedBy { username } } }" }),
    });
    assert.deepEqual(await response.json(), { data: { user: { username: "moratti120", invitedBy: { username: "keegan2255" } } } });
  });

  test("SIGTERM stops it cleanly", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});

describe("bad configuration", () => {
  test("stops the start with one line naming the variable", async () => {
    const result = spawnSync("npm", ["start", "-s"], {
      cwd: root,
      env: { ...process.env, PORT: "eighty", DATABASE_URL: "mysql://x" },
      encoding: "utf8",
    });
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split("\n");
    assert.deepEqual(lines, [
      'Invalid configuration: DATABASE_URL: expected file:, postgres:// or postgresql://, got "mysql:…"',
      'Invalid configuration: PORT: expected a whole number from 0 to 65535, got "eighty"',
    ]);
  });
});
