// Prepared operations (src/http/prepared-operations.ts): once Yoga has
// parsed, validated and compiled an operation, the same request is run
// without Yoga's pipeline, and answered and logged exactly as Yoga answers
// it; a run with an error is handed to Yoga with the context it built, so
// that nothing is counted twice.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { print } from "graphql";
import { PreparedOperations } from "../src/http/prepared-operations.ts";
import { createApp } from "../src/server.ts";
import { parseConfig } from "../src/env.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { UserEverythingDocument } from "./generated/graphql.ts";
import { collectingLogger, createTestApp, tokenHeader, type TestApp } from "./helpers.ts";

const ORIGIN = "http://users.test";
const everything = print(UserEverythingDocument);
const TWO_OPERATIONS = "query Mine { me { username } } query Theirs($id: ID!) { user(id: $id) { username isOnline } }";

type Sent = { body: Record<string, unknown>; key?: string; accept?: string };

/** What a client sends that Yoga answers with data, with errors, or refuses: each is sent three times below. */
const REQUESTS: Record<string, Sent> = {
  "every field of a user": { body: { query: everything, variables: { id: "2" } }, key: "admin" },
  "an anonymous operation, application/json": { body: { query: "{ me { username isStaff } }" }, key: "regular", accept: "application/json" },
  "one of two operations, by name": { body: { query: TWO_OPERATIONS, operationName: "Theirs", variables: { id: "3" } }, key: "groupReader" },
  "the other of the two": { body: { query: TWO_OPERATIONS, operationName: "Mine" }, key: "groupReader" },
  "a user the requester may not read (a field error)": { body: { query: everything, variables: { id: "2" } }, key: "plainStaff" },
  "no such user": { body: { query: everything, variables: { id: "999" } }, key: "admin" },
  "no credentials": { body: { query: everything, variables: { id: "2" } } },
  "a key that opens nothing (the context fails)": { body: { query: everything, variables: { id: "2" } }, key: "nobody" },
  "a variable graphql-jit refuses": { body: { query: everything, variables: { id: { not: "an id" } } }, key: "admin" },
  "a variable missing": { body: { query: everything, variables: {} }, key: "admin" },
  "an operation name the document lacks": { body: { query: TWO_OPERATIONS, operationName: "Nobody" }, key: "admin" },
  "no operation name for two operations": { body: { query: TWO_OPERATIONS }, key: "admin" },
};

function post(sent: Sent): Request {
  return new Request(`${ORIGIN}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(sent.accept ? { accept: sent.accept } : {}),
      ...(sent.key ? tokenHeader(keyFor(sent.key)) : {}),
    },
    body: JSON.stringify(sent.body),
  });
}

/** An answer as a client sees it, with the access line's fields that describe it. */
async function answerOf(response: Response) {
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

/** Counts the operations prepared runs answer, in every app. */
const answeredPrepared = { runs: 0 };
const run = PreparedOperations.prototype.run;
PreparedOperations.prototype.run = async function (...args) {
  const result = await run.apply(this, args);
  if (result) answeredPrepared.runs++;
  return result;
};

/** Counts the operations Yoga's own pipeline runs: a prepared run does not call it. */
function countYogaRuns(app: ReturnType<typeof createApp>) {
  const counted = { runs: 0 };
  const getResultForParams = app.yoga.getResultForParams.bind(app.yoga);
  app.yoga.getResultForParams = (...args) => {
    counted.runs++;
    return getResultForParams(...args);
  };
  return counted;
}

describe("prepared operations", () => {
  let base: TestApp;
  before(async () => {
    base = await createTestApp(directoryFixture());
  });

  test("the same answers and access lines as Yoga's, and Yoga runs only what a prepared run does not answer", async () => {
    for (const [what, sent] of Object.entries(REQUESTS)) {
      // A new app each time, so that the first send is the operation's first run.
      const { logger, records } = collectingLogger("info");
      const app = createApp({ db: base.db, config: parseConfig({ DATABASE_URL: base.target.url, LOG_LEVEL: "info", GRAPHQL_COMPILE_AFTER: "0" }), logger });
      const yogaRuns = countYogaRuns(app);
      const preparedBefore = answeredPrepared.runs;
      // The first by Yoga (which compiles it), the next two prepared when they can be.
      const answers = [];
      for (let send = 0; send < 3; send++) answers.push(await answerOf(await app.fetch(post(sent))));
      assert.deepEqual(answers[1], answers[0], what);
      assert.deepEqual(answers[2], answers[0], what);
      const lines = records.filter((record) => record.msg === "request completed").map(({ operation, status }) => ({ operation, status }));
      assert.equal(lines.length, 3, what);
      assert.deepEqual(lines[1], lines[0], what);
      assert.deepEqual(lines[2], lines[0], what);
      // Only an answer with data and no error is a prepared run's own.
      const answered = JSON.parse(answers[0]!.body) as { data?: unknown; errors?: unknown[] };
      const prepared = answered.data !== undefined && answered.data !== null && answered.errors === undefined;
      assert.equal(yogaRuns.runs, prepared ? 1 : 3, `${what}: ${answers[0]!.body}`);
      assert.equal(answeredPrepared.runs - preparedBefore, prepared ? 2 : 0, what);
      await app.close();
    }
  });

  test("a run handed to Yoga is authenticated and throttled once", async () => {
    // Two requests a minute per requester: counted twice, the second request would be refused.
    const app = base.appWith({ THROTTLE_USER_RATE: "2/min" });
    const statuses = async (sent: Sent) => {
      const seen = [];
      for (let send = 0; send < 3; send++) seen.push((await app.fetch(post(sent))).status);
      return seen;
    };
    // A field error: the prepared run of the second is handed to Yoga.
    assert.deepEqual(await statuses(REQUESTS["a user the requester may not read (a field error)"]!), [200, 200, 429]);
    // A variable refused: the same.
    assert.deepEqual(await statuses({ ...REQUESTS["a variable graphql-jit refuses"]!, key: "directReader" }), [400, 400, 429]);
    // Answered prepared: one count each too.
    assert.deepEqual(await statuses({ ...REQUESTS["every field of a user"]!, key: "groupReader" }), [200, 200, 429]);
    await app.close();
  });

  test("a context that fails (the address is over its rate) is answered and logged by Yoga as before", async () => {
    const seen = [];
    for (const compileAfter of ["0", "never"]) {
      const { logger, records } = collectingLogger("info");
      const app = createApp({
        db: base.db,
        config: parseConfig({ DATABASE_URL: base.target.url, LOG_LEVEL: "info", GRAPHQL_COMPILE_AFTER: compileAfter, THROTTLE_ANON_RATE: "1/min" }),
        logger,
      });
      const answers = [];
      for (let send = 0; send < 3; send++) answers.push(await answerOf(await app.fetch(post(REQUESTS["no credentials"]!))));
      const lines = records.filter((record) => record.msg === "request completed").map(({ operation, status }) => ({ operation, status }));
      seen.push({ answers: answers.map(({ status, body }) => ({ status, code: /"code":"(\w+)"/.exec(body)?.[1] })), lines });
      await app.close();
    }
    // The second and third refused before anything ran: prepared (compiled from the first), and by Yoga alone.
    assert.deepEqual(seen[0]!.answers, [{ status: 200, code: "UNAUTHENTICATED" }, { status: 429, code: "RATE_LIMITED" }, { status: 429, code: "RATE_LIMITED" }]);
    assert.deepEqual(seen[0], seen[1]);
  });

  test("off with GRAPHQL_COMPILE_AFTER=never or metrics: Yoga runs every operation", async () => {
    for (const env of [{ GRAPHQL_COMPILE_AFTER: "never" }, { METRICS_TOKEN: "m".repeat(32) }] as Record<string, string>[]) {
      const app = base.appWith(env);
      const preparedBefore = answeredPrepared.runs;
      for (let send = 0; send < 3; send++) assert.equal((await app.fetch(post(REQUESTS["every field of a user"]!))).status, 200, JSON.stringify(env));
      assert.equal(answeredPrepared.runs, preparedBefore, JSON.stringify(env));
      await app.close();
    }
  });

  test("off with trusted documents: a document run by its id is not then run from its text", async () => {
    const hash = createHash("sha256").update(everything).digest("hex");
    const manifest = join(mkdtempSync(join(tmpdir(), "prepared-")), "persisted-documents.json");
    writeFileSync(manifest, JSON.stringify({ [hash]: everything }));
    const app = base.appWith({ GRAPHQL_TRUSTED_DOCUMENTS: manifest });
    const byId = { key: "admin", body: { documentId: `sha256:${hash}`, variables: { id: "2" } } };
    // Yoga parsed, validated and compiled the document's text, which its onParams hook fetched by id ...
    for (let send = 0; send < 3; send++) assert.equal((await app.fetch(post(byId))).status, 200);
    // ... and that hook still refuses the text itself.
    const byText = await app.fetch(post(REQUESTS["every field of a user"]!));
    assert.equal(byText.status, 400);
    assert.match(await byText.text(), /PERSISTED_QUERY_ONLY/);
    await app.close();
  });

  test("envelop's hooks are the ones a prepared run accounts for", () => {
    // A plugin with a hook on the operation would be skipped by a prepared
    // run: a new one must be looked at in src/http/prepared-operations.ts
    // first (and the hook counted here).
    const plugins = (base.app.yoga as unknown as { plugins: Record<string, unknown>[] }).plugins;
    const count = (hook: string) => plugins.filter((plugin) => typeof plugin[hook] === "function").length;
    const hooks = ["onParams", "onParse", "onValidate", "onContextBuilding", "onExecute", "onSubscribe", "onExecutionResult", "onEnveloped", "onSchemaChange"];
    assert.deepEqual(Object.fromEntries(hooks.map((hook) => [hook, count(hook)])), {
      onParams: 2,
      onParse: 5,
      onValidate: 10,
      onContextBuilding: 1,
      onExecute: 6,
      onSubscribe: 4,
      onExecutionResult: 0,
      onEnveloped: 0,
      onSchemaChange: 0,
    });
  });
});
