// The short way of a JSON POST (src/http/graphql-json-post.ts) answers as
// Yoga's whole HTTP path does: the same request sent to the app and to the
// app's Yoga itself gets the same status, Yoga's headers and the same body,
// whatever its media types, its body and its credentials.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Request as NodeAdapterRequest } from "@whatwg-node/fetch";
import fc from "fast-check";
import { print } from "graphql";
import { resultMediaType } from "../src/http/graphql-json-post.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { UserEverythingDocument, UserNameDocument } from "./generated/graphql.ts";
import { createTestApp, tokenHeader, type TestApp } from "./helpers.ts";

const ORIGIN = "http://users.test";
const admin = tokenHeader(keyFor("admin")).authorization;

// The headers the app adds around whatever answers /graphql (request id, security headers, CORS): not Yoga's.
const APP_HEADERS = new Set(["x-request-id", "content-security-policy", "x-content-type-options", "referrer-policy", "cross-origin-opener-policy", "x-frame-options", "vary"]);

const acceptEntry = fc.tuple(
  fc.constantFrom("*/*", "application/*", "*/json", "application/json", "application/graphql-response+json", "text/event-stream", "multipart/mixed", "text/html", "Application/JSON", ""),
  fc.constantFrom("", ";charset=utf-8", "; charset=UTF-8", ";charset=latin1", ";q=0.9", "; q=0.1;charset=utf-8"),
);
const acceptHeader = fc.option(
  fc.array(acceptEntry, { minLength: 1, maxLength: 3 }).map((entries) => entries.map(([type, parameters]) => type + parameters).join(", ")),
);

const everything = print(UserEverythingDocument);
const bodies = fc.constantFrom(
  JSON.stringify({ query: everything, variables: { id: "2" } }),
  JSON.stringify({ query: everything, variables: { id: "2" }, operationName: "UserEverything", extensions: {} }),
  JSON.stringify({ query: print(UserNameDocument), variables: { id: "999" } }),
  JSON.stringify({ query: "{ me { username } }", variables: null, operationName: null, extensions: null }),
  JSON.stringify({ query: "{ me { username } }", operationName: "Other" }),
  JSON.stringify({ query: "{ me { nope } }" }),
  JSON.stringify({ query: "{ me { username" }),
  JSON.stringify({ query: "mutation { me }" }),
  JSON.stringify({ query: everything, variables: { id: "x" } }),
  JSON.stringify({ query: everything, variables: "{}" }),
  JSON.stringify({ query: everything, variables: [] }),
  JSON.stringify({ query: everything, operationName: 3 }),
  JSON.stringify({ query: everything, extensions: "no" }),
  JSON.stringify({ query: everything, other: 1 }),
  JSON.stringify({ query: 42 }),
  JSON.stringify({ variables: {} }),
  JSON.stringify([{ query: "{ me { username } }" }]),
  JSON.stringify("{ me { username } }"),
  "null",
  "7",
  "",
  "{",
  '{"query": "{ me { username } }"} trailing',
);
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "Application/JSON", "application/graphql+json", "text/plain", "application/x-www-form-urlencoded");
const authorization = fc.constantFrom<string | null>(admin, null, "Token 0000000000000000000000000000000000000000", tokenHeader(keyFor("plainStaff")).authorization);

// Node's own Request, as in-process callers send; @whatwg-node's, as the Node server (src/http/node-server.ts) makes them.
const requestClass = fc.constantFrom<typeof Request>(Request, NodeAdapterRequest as typeof Request);

type Sent = { accept: string | null; body: string; contentType: string; authorization: string | null; RequestClass: typeof Request };

const requestOf = ({ accept, body, contentType, authorization, RequestClass }: Sent) => {
  const headers: Record<string, string> = { "content-type": contentType };
  if (accept !== null) headers.accept = accept;
  if (authorization !== null) headers.authorization = authorization;
  return new RequestClass(`${ORIGIN}/graphql`, { method: "POST", headers, body });
};

async function answerOf(response: Response) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !APP_HEADERS.has(name)));
  return { status: response.status, headers, body: await response.text() };
}

describe("a JSON POST the short way", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });

  test("answers as Yoga's own HTTP path answers the same request", async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ accept: acceptHeader, body: bodies, contentType, authorization, RequestClass: requestClass }), async (sent) => {
        const byApp = await answerOf(await app.app.fetch(requestOf(sent)));
        const byYoga = await answerOf(await app.app.yoga.fetch(requestOf(sent), {}));
        assert.deepEqual(byApp, byYoga);
      }),
      { numRuns: 300 },
    );
  });

  test("the media type is Yoga's choice: the first Accept entry that a JSON type matches, application/json for a wildcard", () => {
    assert.equal(resultMediaType(null), "application/json");
    assert.equal(resultMediaType("*/*"), "application/json");
    assert.equal(resultMediaType("application/graphql-response+json, application/json;q=0.9"), "application/graphql-response+json");
    assert.equal(resultMediaType("text/html, application/*"), "application/json");
    assert.equal(resultMediaType("application/json;charset=latin1, application/graphql-response+json"), "application/graphql-response+json");
    // Yoga then answers: with an event stream, or 406.
    assert.equal(resultMediaType("text/event-stream"), null);
    assert.equal(resultMediaType("text/html"), null);
  });

  test("Yoga's HTTP hooks are the ones the short way accounts for", () => {
    // A plugin with a hook on the request or the response (as the metrics
    // plugin has, which turns the short way off) would be skipped by it:
    // a new one must be looked at in src/http/graphql-json-post.ts first.
    const plugins = (app.app.yoga as unknown as { plugins: Record<string, unknown>[] }).plugins;
    const count = (hook: string) => plugins.filter((plugin) => typeof plugin[hook] === "function").length;
    assert.deepEqual(
      Object.fromEntries(["onRequest", "onRequestParse", "onResultProcess", "onResponse", "onExecutionResult"].map((hook) => [hook, count(hook)])),
      { onRequest: 4, onRequestParse: 7, onResultProcess: 1, onResponse: 0, onExecutionResult: 0 },
    );
  });
});
