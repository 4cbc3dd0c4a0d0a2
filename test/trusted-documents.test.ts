// Trusted documents (GRAPHQL_TRUSTED_DOCUMENTS): with a manifest, only its
// documents run, named by id in the client preset's shape (`documentId`) or
// Apollo's (`extensions.persistedQuery.sha256Hash`); any document text is
// refused before it is parsed. Without one, any document runs. The manifest
// is the web client example's own, as its code generator wrote it.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { print } from "graphql";
import { ConfigError, parseConfig } from "../src/env.ts";
import { SignedInDocument, StaffDirectoryDocument, StaffMemberDocument } from "../examples/web-client/src/gql/graphql.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, tokenHeader, type TestApp } from "./helpers.ts";
import { startService } from "./service-process.ts";

const EXAMPLE_MANIFEST = fileURLToPath(new URL("../examples/web-client/src/gql/persisted-documents.json", import.meta.url));
const admin = tokenHeader(keyFor("admin"));
const hashOf = (document: object) => {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  assert.ok(hash, "the client preset gives each document its hash");
  return hash;
};

const folder = mkdtempSync(join(tmpdir(), "users-gateway-trusted-"));
after(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;
/** Writes `content` (JSON unless it is a string) to a new file; its path. */
function manifestFile(content: unknown): string {
  const path = join(folder, `manifest-${++files}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

type Answer = { status: number; data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };

describe("trusted documents", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });

  const appWith = (env: Record<string, string>) => app.appWith(env);
  const trusting = () => appWith({ GRAPHQL_TRUSTED_DOCUMENTS: EXAMPLE_MANIFEST });

  async function send(served: ReturnType<typeof appWith>, init: { body?: unknown; query?: Record<string, unknown>; accept?: string }) {
    const url = new URL("http://users.test/graphql");
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, typeof value === "string" ? value : JSON.stringify(value));
    app.recorder.take();
    const response = await served.fetch(
      new Request(url, {
        method: init.body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", accept: init.accept ?? "application/json", ...admin },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    );
    const answer: Answer = { status: response.status, ...((await response.json()) as Omit<Answer, "status">) };
    return { answer, statements: app.recorder.take() };
  }

  /** Refused with `status`, `code` and a message matching `message`: no data, and not a statement sent (not even the token's lookup). */
  function assertRefused({ answer, statements }: { answer: Answer; statements: string[] }, status: number, code: string, message: RegExp) {
    assert.equal(answer.status, status, JSON.stringify(answer));
    assert.equal(answer.data, undefined);
    assert.equal(answer.errors?.length, 1, JSON.stringify(answer.errors));
    assert.equal(answer.errors[0]!.extensions?.code, code);
    assert.match(answer.errors[0]!.message, message);
    assert.deepEqual(statements, []);
  }

  test("without a manifest, any document runs, and a documentId alone is a clear 400", async () => {
    const served = appWith({});
    const { answer } = await send(served, { body: { query: "{ me { username } }" } });
    assert.deepEqual(answer, { status: 200, data: { me: { username: "admin" } } });
    assertRefused(
      await send(served, { body: { documentId: hashOf(SignedInDocument) } }),
      400,
      "BAD_REQUEST",
      /^Unexpected parameter "documentId" in the request body\.$/,
    );
  });

  test("a manifest's documents run by documentId (bare or sha256:), by Apollo's hash, by POST or GET, and answer as their text does", async () => {
    const served = trusting();
    const variables = { id: "2", inviteesFirst: 5 };
    const expected = await send(appWith({}), { body: { query: print(StaffMemberDocument), variables } });
    assert.equal(expected.answer.errors, undefined);
    assert.equal((expected.answer.data?.user as { username: string }).username, "moratti120");

    const hash = hashOf(StaffMemberDocument);
    const bare = hash.replace(/^sha256:/, "");
    const apollo = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
    const shapes = {
      "documentId, as the client preset sends it": { body: { documentId: hash, variables } },
      "documentId without its prefix": { body: { documentId: bare, variables } },
      "documentId in a GET": { query: { documentId: hash, variables } },
      "Apollo's persistedQuery": { body: { extensions: apollo(bare), variables } },
      "Apollo's persistedQuery in a GET, as urql sends it": { query: { extensions: apollo(hash), variables } },
    };
    for (const [shape, init] of Object.entries(shapes)) {
      const { answer, statements } = await send(served, init);
      assert.deepEqual(answer, expected.answer, shape);
      assert.ok(statements.length > 0, shape);
    }
  });

  test("any document text is refused, even one the manifest holds, and so is introspection", async () => {
    const served = trusting();
    const only = /^This service runs trusted documents only: send the document's id as "documentId" \(or as extensions\.persistedQuery\.sha256Hash\), not its text as "query"\.$/;
    assertRefused(await send(served, { body: { query: "{ me { username } }" } }), 400, "PERSISTED_QUERY_ONLY", only);
    assertRefused(await send(served, { body: { query: print(SignedInDocument) } }), 400, "PERSISTED_QUERY_ONLY", only);
    assertRefused(await send(served, { query: { query: "{ me { username } }" } }), 400, "PERSISTED_QUERY_ONLY", only);
    assertRefused(await send(served, { body: { query: "{ me { username } }", documentId: hashOf(SignedInDocument) } }), 400, "PERSISTED_QUERY_ONLY", only);
    assertRefused(await send(served, { body: { query: "{ __schema { types { name } } }" } }), 400, "PERSISTED_QUERY_ONLY", only);
    // The same status whatever the client accepts.
    assertRefused(await send(served, { body: { query: "{ me { username } }" }, accept: "application/graphql-response+json" }), 400, "PERSISTED_QUERY_ONLY", only);
  });

  test("an id the manifest lacks is a 404 naming it; no id at all is a 400", async () => {
    const served = trusting();
    const unknown = `sha256:${createHash("sha256").update("{ me { id } }").digest("hex")}`;
    assertRefused(
      await send(served, { body: { documentId: unknown } }),
      404,
      "PERSISTED_QUERY_NOT_FOUND",
      new RegExp(`^No trusted document has the id "${unknown.slice(7)}": the service's manifest does not hold this operation`),
    );
    assertRefused(
      await send(served, { body: { extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } } }),
      404,
      "PERSISTED_QUERY_NOT_FOUND",
      /"abc"/,
    );
    assertRefused(await send(served, { body: { variables: {} } }), 400, "BAD_REQUEST", /^Must provide "documentId": this service runs trusted documents only\.$/);
    assertRefused(await send(served, { body: { documentId: 42 } }), 400, "BAD_REQUEST", /^Must provide "documentId"/);
  });

  test("a trusted document still meets the operation limits, and is validated", async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `u${i}: user(id: 2) { id }`).join(" ")} }`;
    const unknownField = "{ me { nickname } }";
    const manifest = manifestFile({ aliases, unknownField, trusted: "{ me { username } }" });
    const served = appWith({ GRAPHQL_TRUSTED_DOCUMENTS: manifest });
    assertRefused(await send(served, { body: { documentId: "aliases" } }), 200, "GRAPHQL_VALIDATION_FAILED", /^Syntax Error: Aliases limit of 15 exceeded, found 16\.$/);
    assertRefused(await send(served, { body: { documentId: "unknownField" } }), 200, "GRAPHQL_VALIDATION_FAILED", /Cannot query field "nickname"/);
    const tight = appWith({ GRAPHQL_TRUSTED_DOCUMENTS: manifest, GRAPHQL_MAX_TOKENS: "20" });
    assertRefused(await send(tight, { body: { documentId: "aliases" } }), 200, "GRAPHQL_PARSE_FAILED", /^Syntax Error: Token limit of 20 exceeded\.$/);
    const { answer } = await send(tight, { body: { documentId: "trusted" } });
    assert.deepEqual(answer, { status: 200, data: { me: { username: "admin" } } });
  });

  test("the page's three operations run as the page sends them, cursors included", async () => {
    const served = trusting();
    type Page = { totalCount: number; pageInfo: { endCursor: string; hasNextPage: boolean }; edges: { node: { username: string } }[] };
    const page = async (variables: Record<string, unknown>) => {
      const { answer } = await send(served, { body: { documentId: hashOf(StaffDirectoryDocument), variables } });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      return answer.data?.users as Page;
    };
    const first = await page({ first: 2, search: "reader" });
    assert.deepEqual(first.edges.map((edge) => edge.node.username), ["direct-reader", "group-reader"]);
    assert.equal(first.totalCount, 3);
    assert.equal(first.pageInfo.hasNextPage, true);
    const second = await page({ first: 2, after: first.pageInfo.endCursor, search: "reader" });
    assert.deepEqual(second.edges.map((edge) => edge.node.username), ["inactive-reader"]);
    assert.equal(second.pageInfo.hasNextPage, false);
    const me = await send(served, { body: { documentId: hashOf(SignedInDocument) } });
    assert.deepEqual(me.answer, { status: 200, data: { me: { id: "10", username: "admin" } } });
  });

  test("GraphiQL is off with trusted documents: it could run nothing typed in it", async () => {
    const response = await trusting().fetch(new Request("http://users.test/graphql", { headers: { accept: "text/html" } }));
    assert.equal(response.status, 404);
    assert.equal(parseConfig({ GRAPHQL_TRUSTED_DOCUMENTS: EXAMPLE_MANIFEST }).graphql.graphiql, false);
    assert.equal(parseConfig({ GRAPHQL_TRUSTED_DOCUMENTS: EXAMPLE_MANIFEST, GRAPHIQL: "false" }).graphql.graphiql, false);
    assert.equal(parseConfig({}).graphql.graphiql, true);
    assert.throws(
      () => parseConfig({ GRAPHQL_TRUSTED_DOCUMENTS: EXAMPLE_MANIFEST, GRAPHIQL: "true" }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        /^Invalid configuration: GRAPHIQL: GraphiQL runs the text typed in it, which GRAPHQL_TRUSTED_DOCUMENTS refuses/.test(error.problems[0]!),
    );
  });
});

describe("a manifest that cannot be used stops the start", () => {
  const hash = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
  const cases: [string, () => string, RegExp][] = [
    ["a missing file", () => join(folder, "absent.json"), /: cannot read ".*absent\.json": no such file$/],
    ["a folder", () => folder, /: cannot read ".*": EISDIR$/],
    ["not JSON", () => manifestFile("{ not json"), /is not JSON: /],
    ["an array", () => manifestFile([["a", "{ me { id } }"]]), /expected a JSON object from document id to document text.*, got an array$/],
    ["no document", () => manifestFile({}), /holds no document: every operation would be refused$/],
    ["a document that is not text", () => manifestFile({ a: { query: "{ me { id } }" } }), /the entry "a" is object$/],
    ["a document that is not GraphQL", () => manifestFile({ a: "{ me { id }" }), /the document "a" is not GraphQL: Syntax Error: Expected Name, found <EOF>\.$/],
    ["an id with a space", () => manifestFile({ "a b": "{ me { id } }" }), /a document id must be non-empty, without spaces, got "a b"$/],
    ["a sha256 id of other text", () => manifestFile({ [hash("{ me { id } }")]: "{ me { username } }" }), /does not have that sha256 hash: regenerate the manifest$/],
  ];
  for (const [name, path, message] of cases) {
    test(name, () => {
      assert.throws(
        () => parseConfig({ GRAPHQL_TRUSTED_DOCUMENTS: path() }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.problems.length, 1);
          assert.match(error.problems[0]!, /^Invalid configuration: GRAPHQL_TRUSTED_DOCUMENTS: /);
          assert.match(error.problems[0]!, message);
          assert.doesNotMatch(error.problems[0]!, /\n/);
          return true;
        },
      );
    });
  }

  test("the service exits 1 with that one line", { timeout: 30_000 }, async () => {
    const service = startService({ GRAPHQL_TRUSTED_DOCUMENTS: join(folder, "absent.json"), DATABASE_URL: `file:${join(folder, "never.db")}` });
    const { code, output } = await service.exited;
    assert.equal(code, 1);
    assert.match(output, /Invalid configuration: GRAPHQL_TRUSTED_DOCUMENTS: cannot read ".*absent\.json": no such file/);
    assert.doesNotMatch(output, /listening on/);
  });
});
