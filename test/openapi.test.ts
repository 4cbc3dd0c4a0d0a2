// The OpenAPI document at /api/schema/: a valid OpenAPI 3.1 document (checked
// by @seriousme/openapi-schema-validator), in YAML and JSON, and true: every
// status it lists for the REST route is driven here, over a real HTTP
// server, and the answer's body and headers are checked against what the
// document says of that status.
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse as parseYaml } from "yaml";
import type { GatewayAdapter } from "../src/db/adapter.ts";
import { createDatabase } from "../src/db/client.ts";
import { parseDatabaseUrl } from "../src/db/url.ts";
import { parseConfig } from "../src/env.ts";
import { createHttpServer } from "../src/http/node-server.ts";
import { createLogger } from "../src/logger.ts";
import { createApp } from "../src/server.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, createTestDatabase, tokenHeader, type TestApp } from "./helpers.ts";

type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, DocumentedResponse> }>>;
  components: Record<string, unknown>;
};
type DocumentedResponse = {
  headers?: Record<string, unknown>;
  content: { "application/json": { schema: object; examples?: Record<string, { value: { detail: string } }> } };
};
type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

const admin = tokenHeader(keyFor("admin"));
const servers: { close(): void }[] = [];
after(() => servers.forEach((server) => server.close()));

/** The app on a real port, as src/index.ts serves it. */
async function listen(fetch: TestApp["app"]["fetch"], config: TestApp["config"]): Promise<number> {
  const server = createHttpServer(fetch, config.http, createLogger("silent"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return (server.address() as AddressInfo).port;
}

/** node:http rather than fetch: a Host header and a GET with a body are sent exactly as given. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, method, path, headers: { host: "users.test", ...headers } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

describe("the OpenAPI document", () => {
  let app: TestApp;
  let document: OpenApi;
  before(async () => {
    app = await createTestApp(directoryFixture());
    const response = await app.request("GET", "/api/schema/?format=json");
    document = (await response.json()) as OpenApi;
  });

  test("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    assert.equal(validator.version, "3.1");
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
  });

  test("is YAML by default and JSON with ?format=json or an Accept asking for it, as drf-spectacular serves it", async () => {
    const yaml = await app.request("GET", "/api/schema/");
    assert.equal(yaml.status, 200);
    assert.equal(yaml.headers.get("content-type"), "application/vnd.oai.openapi; charset=utf-8");
    assert.deepEqual(parseYaml(await yaml.text()), document);
    const json = await app.request("GET", "/api/schema/?format=json");
    assert.equal(json.headers.get("content-type"), "application/vnd.oai.openapi+json");
    const byAccept = await app.request("GET", "/api/schema", { accept: "application/vnd.oai.openapi+json" });
    assert.equal(byAccept.headers.get("content-type"), "application/vnd.oai.openapi+json");
    assert.deepEqual(await byAccept.json(), document);
    assert.equal((await app.request("GET", "/api/schema/?format=xml")).status, 404);
    assert.equal((await app.request("POST", "/api/schema/")).status, 405);
    const head = await app.request("HEAD", "/api/schema/");
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });

  test("declares DRF's token authentication on the route", () => {
    const schemes = (document.components as { securitySchemes: Record<string, unknown> }).securitySchemes;
    assert.deepEqual(Object.keys(schemes), ["tokenAuth"]);
    assert.deepEqual({ ...(schemes.tokenAuth as object), description: undefined }, { type: "apiKey", in: "header", name: "Authorization", description: undefined });
    assert.deepEqual((document.paths["/api/users/{id}/"]!.get as unknown as { security: unknown }).security, [{ tokenAuth: [] }]);
  });

  test("lists the 200 body's fields in the order the route writes them", async () => {
    const user = (document.components as { schemas: Record<string, { properties: object; required: string[] }> }).schemas.User!;
    const body = await (await app.request("GET", "/api/users/2/", admin)).json();
    assert.deepEqual(Object.keys(user.properties), Object.keys(body));
    assert.deepEqual(user.required, Object.keys(body));
  });

  test("is not served with GRAPHQL_INTROSPECTION=false, nor the reference; GRAPHIQL=false hides only the reference", async () => {
    const closed = await createTestApp(directoryFixture(), { GRAPHQL_INTROSPECTION: "false" });
    assert.equal((await closed.request("GET", "/api/schema/")).status, 404);
    assert.equal((await closed.request("GET", "/api/docs/")).status, 404);
    const noPages = await createTestApp(directoryFixture(), { GRAPHIQL: "false" });
    assert.equal((await noPages.request("GET", "/api/schema/")).status, 200);
    assert.equal((await noPages.request("GET", "/api/docs/")).status, 404);
  });
});

describe("every status the document lists is what the route answers", () => {
  let document: OpenApi;
  let ajv: InstanceType<typeof Ajv2020>;
  const drivers = new Map<string, (method: string) => Promise<Answer>>();

  before(async () => {
    const app = await createTestApp(directoryFixture());
    const port = await listen(app.app.fetch, app.config);
    document = (await (await app.request("GET", "/api/schema/?format=json")).json()) as OpenApi;
    ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ ...document, $id: "openapi.json" });

    const throttled = await createTestApp(directoryFixture(), { THROTTLE_USER_RATE: "1/min" });
    const throttledPort = await listen(throttled.app.fetch, throttled.config);

    // The database refuses connections: nothing listens on port 1.
    const unreachableConfig = parseConfig({ DATABASE_URL: "postgresql://gateway:secret@127.0.0.1:1/users", LOG_LEVEL: "silent" });
    const unreachable = createDatabase(unreachableConfig.database, { pool: unreachableConfig.pool });
    const unreachablePort = await listen(createApp({ db: unreachable, config: unreachableConfig, logger: createLogger("silent") }).fetch, unreachableConfig);

    // A 500 is a bug, so one is made: every statement fails with an error
    // that is not the database's unavailability, as a defect below the route would.
    const { target } = await createTestDatabase();
    const failing = createDatabase(target, { wrapAdapter: failEveryStatement });
    const failingConfig = parseConfig({ DATABASE_URL: target.url, LOG_LEVEL: "silent" });
    const failingPort = await listen(createApp({ db: failing, config: failingConfig, logger: createLogger("silent") }).fetch, failingConfig);

    drivers.set("200", (method) => send(port, method, "/api/users/2/", admin));
    drivers.set("400", (method) => send(port, method, "/api/users/2/", { ...admin, host: "bad host!" }));
    drivers.set("401", (method) => send(port, method, "/api/users/2/"));
    drivers.set("403", (method) => send(port, method, "/api/users/2/", tokenHeader(keyFor("plainStaff"))));
    drivers.set("404", (method) => send(port, method, "/api/users/999/", admin));
    drivers.set("413", (method) => send(port, method, "/api/users/2/", { ...admin, "content-length": "102401" }, "x".repeat(102_401)));
    drivers.set("429", async (method) => {
      await send(throttledPort, method, "/api/users/2/", admin);
      return send(throttledPort, method, "/api/users/2/", admin);
    });
    drivers.set("500", (method) => send(failingPort, method, "/api/users/2/", admin));
    drivers.set("503", (method) => send(unreachablePort, method, "/api/users/2/", admin));
  });

  for (const method of ["get", "options"]) {
    test(`${method.toUpperCase()} /api/users/{id}/`, { timeout: 30_000 }, async () => {
      const responses = document.paths["/api/users/{id}/"]![method]!.responses;
      assert.ok(Object.keys(responses).length >= 8, "the document lists the route's statuses");
      for (const [status, documented] of Object.entries(responses)) {
        const driver = drivers.get(status);
        assert.ok(driver, `no way to make the route answer ${status}: a status was documented that this test does not drive`);
        const answer = await driver(method.toUpperCase());
        assert.equal(answer.status, Number(status), `${method} ${status}: ${answer.body}`);
        assert.equal(answer.headers["content-type"], "application/json", `${method} ${status}`);
        for (const header of Object.keys(documented.headers ?? {})) {
          assert.ok(answer.headers[header.toLowerCase()] !== undefined, `${method} ${status} carries ${header}`);
        }
        const content = documented.content["application/json"];
        const validate = ajv.compile({ $ref: `openapi.json#/paths/~1api~1users~1{id}~1/${method}/responses/${status}/content/application~1json/schema` });
        const body = JSON.parse(answer.body) as { detail?: string };
        assert.ok(validate(body), `${method} ${status}: ${JSON.stringify(validate.errors)}`);
        if (content.examples) {
          // Numbers (a wait, a limit) vary; the words must be one of the documented ones.
          const shape = (text: string) => text.replace(/\d+/g, "N");
          const documentedDetails = Object.values(content.examples).map((example) => shape(example.value.detail));
          assert.ok(documentedDetails.includes(shape(body.detail ?? "")), `${method} ${status}: ${body.detail} is not documented`);
        }
      }
    });
  }
});

function failEveryStatement(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return new Proxy(factory, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "connect") return typeof value === "function" ? value.bind(target) : value;
      return async () => {
        const adapter = await target.connect();
        return new Proxy(adapter, {
          get(inner, name, innerReceiver) {
            if (name === "queryRaw" || name === "executeRaw") return async () => Promise.reject(new Error("injected defect"));
            // The service's own reads on SQLite (src/db/sqlite-records.ts).
            if (name === ("readRecords" satisfies keyof GatewayAdapter) && Reflect.has(inner, name)) return () => { throw new Error("injected defect"); };
            const member = Reflect.get(inner, name, innerReceiver);
            return typeof member === "function" ? member.bind(inner) : member;
          },
        });
      };
    },
  });
}
