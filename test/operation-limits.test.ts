// The GraphQL limits of SPEC section 5 (aliases, depth, tokens, directives,
// cost): an operation over one is refused with an error code before anything
// runs, which the SQL statements that reach the driver show; the largest
// queries the other tests send still pass. And field suggestions, which
// describe the schema, are hidden when introspection is off.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { createSchema, createYoga } from "graphql-yoga";
import { ConfigError, parseConfig } from "../src/env.ts";
import { DEFAULT_OPERATION_LIMITS, useOperationLimits } from "../src/plugins/use-operation-limits.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { FifteenUsersDocument } from "./generated/graphql.ts";
import { createTestApp, tokenHeader, type TestApp } from "./helpers.ts";

const admin = tokenHeader(keyFor("admin"));

type GraphQLAnswer = {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};

const aliasedUsers = (count: number, selection = "{ id }") =>
  `{ ${Array.from({ length: count }, (_, i) => `u${i}: user(id: 2) ${selection}`).join(" ")} }`;

describe("operation limits", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });

  const appWith = (env: Record<string, string>) => app.appWith(env);

  /** Sends `query` as the admin, and returns the answer with the SQL statements it cost. */
  async function send(query: string, env: Record<string, string> = {}, accept = "application/json") {
    const served = appWith(env);
    app.recorder.take();
    const response = await served.fetch(
      new Request("http://users.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept, ...admin },
        body: JSON.stringify({ query }),
      }),
    );
    const answer = { status: response.status, ...((await response.json()) as Omit<GraphQLAnswer, "status">) };
    return { answer, statements: app.recorder.take() };
  }

  /** Refused with `code` and `message`, with no data, no resolver run and no SQL sent (not even the token's lookup). */
  function assertRefused({ answer, statements }: { answer: GraphQLAnswer; statements: string[] }, code: string, message: string) {
    assert.equal(answer.data, undefined);
    assert.deepEqual(answer.errors?.map((error) => [error.extensions?.code, error.message]), [[code, message]]);
    assert.deepEqual(statements, []);
  }

  function assertServed({ answer, statements }: { answer: GraphQLAnswer; statements: string[] }) {
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.ok(answer.data);
    assert.ok(statements.length > 0);
  }

  test("the defaults serve the fifteen-alias query with every field, and refuse a sixteenth alias", async () => {
    const fifteen = await app.graphql(FifteenUsersDocument, Object.fromEntries("abcdefghijklmno".split("").map((name) => [name, "2"])), admin);
    assert.equal(fifteen.errors, undefined);
    assert.equal(Object.values(fifteen.data ?? {}).filter(Boolean).length, 15);
    assertServed(await send(aliasedUsers(15)));
    assertRefused(await send(aliasedUsers(16)), "GRAPHQL_VALIDATION_FAILED", "Syntax Error: Aliases limit of 15 exceeded, found 16.");
  });

  test("5,000 aliased user(id: 2) fields are refused while parsing, and by the alias and cost limits behind that", async () => {
    const query = aliasedUsers(5_000);
    assertRefused(await send(query), "GRAPHQL_PARSE_FAILED", "Syntax Error: Token limit of 2000 exceeded.");
    const { answer, statements } = await send(query, { GRAPHQL_MAX_TOKENS: "1000000" });
    assert.deepEqual(answer.errors?.map((error) => [error.extensions?.code, error.message]), [
      ["GRAPHQL_VALIDATION_FAILED", "Syntax Error: Aliases limit of 15 exceeded, found 5000."],
      ["GRAPHQL_VALIDATION_FAILED", "Syntax Error: Query Cost limit of 10000 exceeded, found 17500."],
    ]);
    assert.deepEqual(statements, []);
  });

  test("a refusal is a 400 under application/graphql-response+json, as other invalid operations are", async () => {
    const { answer } = await send(aliasedUsers(16), {}, "application/graphql-response+json");
    assert.equal(answer.status, 400);
    assert.equal(answer.errors?.[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
  });

  test("GRAPHQL_MAX_ALIASES", async () => {
    const env = { GRAPHQL_MAX_ALIASES: "2" };
    assertServed(await send(`{ a: user(id: 2) { id } b: user(id: 3) { id } }`, env));
    assertRefused(
      // Nested aliases count too.
      await send(`{ a: user(id: 2) { id } b: user(id: 3) { id name: username } }`, env),
      "GRAPHQL_VALIDATION_FAILED",
      "Syntax Error: Aliases limit of 2 exceeded, found 3.",
    );
  });

  test("GRAPHQL_MAX_DEPTH, which fragments do not deepen", async () => {
    const env = { GRAPHQL_MAX_DEPTH: "2" };
    assertServed(await send(`{ user(id: 2) { ... on User { ...Name } } } fragment Name on User { username }`, env));
    assertRefused(await send(`{ user(id: 2) { invitedBy { id } } }`, env), "GRAPHQL_VALIDATION_FAILED", "Syntax Error: Query depth limit of 2 exceeded, found 3.");
    // At the default, the deepest data (a page of users with a page of each one's invitees) is served;
    // only introspection through __type nests deeper than 8.
    assertServed(await send(`{ users(first: 2) { edges { node { inviteesConnection(first: 2) { edges { node { id } } } } } } }`));
    assertRefused(
      await send(`{ __type(name: "User") { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } }`),
      "GRAPHQL_VALIDATION_FAILED",
      "Syntax Error: Query depth limit of 8 exceeded, found 9.",
    );
  });

  test("GRAPHQL_MAX_TOKENS", async () => {
    // { user ( id : 2 ) { id } }: eleven tokens.
    const env = { GRAPHQL_MAX_TOKENS: "11" };
    assertServed(await send(`{ user(id: 2) { id } }`, env));
    assertRefused(await send(`{ user(id: 2) { id username } }`, env), "GRAPHQL_PARSE_FAILED", "Syntax Error: Token limit of 11 exceeded.");
  });

  test("GRAPHQL_MAX_DIRECTIVES, counted through fragments", async () => {
    const env = { GRAPHQL_MAX_DIRECTIVES: "2" };
    assertServed(await send(`{ user(id: 2) { id @include(if: true) username @skip(if: false) } }`, env));
    assertRefused(
      await send(`{ user(id: 2) { ...Parts @include(if: true) } } fragment Parts on User { id @include(if: true) username @skip(if: false) }`, env),
      "GRAPHQL_VALIDATION_FAILED",
      "Syntax Error: Directives limit of 2 exceeded, found 3.",
    );
  });

  test("GRAPHQL_MAX_COST", async () => {
    // user: 2 + 1.5 × (id 1 + username 1 + invitedBy (2 + 1.5 × id 1)) = 10.25
    const query = `{ user(id: 2) { id username invitedBy { id } } }`;
    assertServed(await send(query, { GRAPHQL_MAX_COST: "11" }));
    assertRefused(await send(query, { GRAPHQL_MAX_COST: "10" }), "GRAPHQL_VALIDATION_FAILED", "Syntax Error: Query Cost limit of 10 exceeded, found 10.25.");
  });
});

describe("field suggestions", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(directoryFixture());
  });

  async function messages(query: string, env: Record<string, string>) {
    const response = await app.appWith(env).fetch(
      new Request("http://users.test/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) }),
    );
    return ((await response.json()) as { errors: { message: string }[] }).errors.map((error) => error.message);
  }

  const misspelt = `{ user(idd: 2) { usernam } }`;

  test("are shown while introspection is on", async () => {
    assert.deepEqual(await messages(misspelt, {}), [
      'Unknown argument "idd" on field "Query.user". Did you mean "id"?',
      'Cannot query field "usernam" on type "User". Did you mean "username"?',
      'Field "user" argument "id" of type "ID!" is required, but it was not provided.',
    ]);
  });

  test("are hidden with GRAPHQL_INTROSPECTION=false, since they would describe the schema", async () => {
    assert.deepEqual(await messages(misspelt, { GRAPHQL_INTROSPECTION: "false" }), [
      'Unknown argument "idd" on field "Query.user". [Suggestion hidden]',
      'Cannot query field "usernam" on type "User". [Suggestion hidden]',
      'Field "user" argument "id" of type "ID!" is required, but it was not provided.',
    ]);
  });
});

describe("limit configuration", () => {
  const problems = (env: Record<string, string>) => {
    try {
      parseConfig(env);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  test("defaults, and values that replace them", () => {
    assert.deepEqual(parseConfig({}).graphql.limits, { aliases: 15, depth: 8, tokens: 2000, directives: 50, cost: 10000 });
    const set = parseConfig({ GRAPHQL_MAX_ALIASES: "0", GRAPHQL_MAX_DEPTH: "10", GRAPHQL_MAX_TOKENS: "5000", GRAPHQL_MAX_DIRECTIVES: "0", GRAPHQL_MAX_COST: "9000" });
    assert.deepEqual(set.graphql.limits, { aliases: 0, depth: 10, tokens: 5000, directives: 0, cost: 9000 });
  });

  test("a bad value is refused with the value it got, every bad one at once", () => {
    const found = problems({ GRAPHQL_MAX_ALIASES: "-1", GRAPHQL_MAX_DEPTH: "0", GRAPHQL_MAX_TOKENS: "2k", GRAPHQL_MAX_DIRECTIVES: "1.5", GRAPHQL_MAX_COST: "none" });
    assert.deepEqual(found.sort(), [
      'Invalid configuration: GRAPHQL_MAX_ALIASES: expected a whole number from 0 to 10000, got "-1"',
      'Invalid configuration: GRAPHQL_MAX_COST: expected a whole number from 1 to 100000000, got "none"',
      'Invalid configuration: GRAPHQL_MAX_DEPTH: expected a whole number from 1 to 1000, got "0"',
      'Invalid configuration: GRAPHQL_MAX_DIRECTIVES: expected a whole number from 0 to 10000, got "1.5"',
      'Invalid configuration: GRAPHQL_MAX_TOKENS: expected a whole number from 1 to 1000000, got "2k"',
    ]);
  });
});

describe("a stack overflow while executing", () => {
  // Where the executor overflows depends on the stack left (Node 24 read a
  // chain of 3,128 fragment spreads in validation, then overflowed collecting
  // `me`'s selections): a resolver throwing V8's own RangeError gives the
  // executor's answer for it, a field error with the RangeError as its cause.
  const overflowing = () => {
    throw new RangeError("Maximum call stack size exceeded");
  };
  const schema = createSchema({ typeDefs: "type Query { me: User } type User { id: ID }", resolvers: { Query: { me: overflowing } } });
  const yoga = createYoga({ schema, plugins: [useOperationLimits(DEFAULT_OPERATION_LIMITS)], logging: false });
  const ask = async (accept: string) => {
    const response = await yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLAnswer };
  };

  test("in one field is refused as a document too deep to run, not masked as an unexpected error", async () => {
    const { status, body } = await ask("application/graphql-response+json");
    assert.equal(status, 400);
    assert.equal("data" in body, false);
    assert.deepEqual(body.errors?.map((error) => [error.message, error.extensions?.code]), [
      ["Syntax Error: the document nests too deeply to be read.", "GRAPHQL_VALIDATION_FAILED"],
    ]);
  });

  test("under application/json, the same request error with 200", async () => {
    const { status, body } = await ask("application/json");
    assert.equal(status, 200);
    assert.equal(body.errors?.[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
  });
});
