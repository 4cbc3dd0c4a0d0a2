// useValidationCache (src/plugins/use-validation-cache.ts): a document is
// validated once, and its answer, valid or not, is the same every time it is
// sent; hooks that change validation's result (hidden field suggestions) see
// the kept result as they saw the first.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import { useValidationCache } from "../src/plugins/use-validation-cache.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { createTestApp } from "./helpers.ts";

/** A Yoga as the app sets it up (its own validation cache off, ours first), counting the validations that run. */
function countingYoga() {
  const counted = { validations: 0 };
  const countValidations: Plugin = {
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        counted.validations++;
        return validateFn(...args);
      });
    },
  };
  const yoga = createYoga({
    schema: createSchema({ typeDefs: "type Query { hello(name: String): String }", resolvers: { Query: { hello: (_, { name }) => `hello ${name}` } } }),
    plugins: [useValidationCache(), countValidations],
    parserAndValidationCache: { validationCache: false },
    logging: false,
  });
  const send = async (query: string) => {
    const response = await yoga.fetch("http://yoga.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables: { name: "x" } }),
    });
    return { status: response.status, body: await response.json() };
  };
  return { counted, send };
}

describe("validation cache", () => {
  test("a document is validated once, however often it is sent", async () => {
    const { counted, send } = countingYoga();
    const query = "query Hello($name: String) { hello(name: $name) }";
    for (let i = 0; i < 3; i++) assert.deepEqual(await send(query), { status: 200, body: { data: { hello: "hello x" } } });
    assert.equal(counted.validations, 1);
    await send("{ hello }");
    assert.equal(counted.validations, 2, "another document is validated");
  });

  test("an invalid document gets the same errors every time, validated once", async () => {
    const { counted, send } = countingYoga();
    const answers = [await send("{ hullo }"), await send("{ hullo }")];
    // 200: an application/json client (no Accept) gets its errors so, as GraphQL over HTTP's legacy media type has it.
    assert.equal(answers[0]!.status, 200);
    assert.match(JSON.stringify(answers[0]!.body), /Cannot query field \\"hullo\\" on type \\"Query\\"/);
    assert.deepEqual(answers[1], answers[0]);
    assert.equal(counted.validations, 1);
  });

  test("suggestions stay hidden when the errors come from the cache", async () => {
    const app = await createTestApp(directoryFixture());
    const served = app.appWith({ GRAPHQL_INTROSPECTION: "false" });
    const messages = async () => {
      const response = await served.fetch(
        new Request("http://users.test/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ user(id: 2) { usernam } }" }) }),
      );
      return ((await response.json()) as { errors: { message: string }[] }).errors.map((error) => error.message);
    };
    const expected = ['Cannot query field "usernam" on type "User". [Suggestion hidden]'];
    assert.deepEqual(await messages(), expected);
    assert.deepEqual(await messages(), expected);
  });
});
