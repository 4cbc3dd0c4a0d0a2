// A request's context lets go of what it holds once its answer is built
// (src/context.ts, releaseContext): asked again afterwards, a loader reads
// again instead of answering from its cache (src/loaders.ts, releaseLoaders),
// and the scope-auth plugin keeps no cache for the context. On a real
// database, through a real Yoga for the GraphQL plugin, and through the whole
// app for both ways an operation runs (Yoga's, and prepared).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RequestCache } from "@pothos/plugin-scope-auth";
import { createSchema, createYoga } from "graphql-yoga";
import { readPaths, type Database } from "../src/db/client.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { createLoaders, releaseLoaders, type Loaders } from "../src/loaders.ts";
import { PreparedOperations } from "../src/http/prepared-operations.ts";
import { useReleaseContext } from "../src/plugins/use-release-context.ts";
import type { GraphQLContext } from "../src/context.ts";
import { builder } from "../src/schema/builder.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, createTestDatabase, tokenHeader } from "./helpers.ts";

describe("releasing a request's loaders", () => {
  let db: Database;
  let id: number;
  before(async () => {
    ({ db } = await createTestDatabase());
    await importFixture(db, parseFixture(directoryFixture()));
    id = (await db.user.findFirstOrThrow({ select: { id: true } })).id;
  });

  /** How many reads `run` sent to the database. */
  const readsOf = async (run: () => Promise<unknown>) => {
    const before = readPaths(db);
    await run();
    const after = readPaths(db);
    return after.direct + after.throughTheOrm - (before.direct + before.throughTheOrm);
  };

  test("a loader answers from its cache until released, then reads again; the invitee pages too", async () => {
    const loaders = createLoaders(db);
    const loadBoth = () => Promise.all([loaders.userById.load(id), loaders.inviteePage(2, 0).load(id), loaders.membershipsByUserId.load(id)]);
    assert.equal(await readsOf(loadBoth), 3);
    assert.equal(await readsOf(loadBoth), 0, "cached within the request");
    releaseLoaders(loaders);
    assert.equal(await readsOf(loadBoth), 3, "read again once released");
  });

  test("useReleaseContext releases a GraphQL request's loaders once its result is built", async () => {
    const schema = createSchema<{ loaders: Loaders }>({
      typeDefs: "type Query { username(id: Int!): String }",
      resolvers: { Query: { username: async (_, args: { id: number }, ctx) => (await ctx.loaders.userById.load(args.id))?.username } },
    });
    const ask = async (plugins: ReturnType<typeof useReleaseContext>[]) => {
      const loaders = createLoaders(db);
      const yoga = createYoga({ schema, context: () => ({ loaders }), plugins, logging: false });
      const response = await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ username(id: ${id}) }` }),
      });
      assert.equal(response.status, 200);
      assert.ok((await response.json()).data.username);
      return readsOf(() => loaders.userById.load(id));
    };
    assert.equal(await ask([]), 0, "without the plugin the answer's rows stay cached");
    assert.equal(await ask([useReleaseContext()]), 1);
  });
});

describe("an operation's context, once its answer is built", () => {
  // The scope-auth plugin's cache of each context the resolvers were given,
  // as they asked for it; the plugin's resolvers look fromContext up on the class at each call.
  const seen: { context: object; cache: unknown }[] = [];
  const originalFromContext = RequestCache.fromContext;
  const fromContext = originalFromContext.bind(RequestCache);
  before(() => {
    RequestCache.fromContext = (context, schemaBuilder) => {
      const cache = fromContext(context, schemaBuilder);
      if (!seen.some((entry) => entry.context === context)) seen.push({ context, cache });
      return cache;
    };
  });
  after(() => {
    RequestCache.fromContext = originalFromContext;
  });

  // `me` is the field with auth scopes that any requester may ask for.
  const body = JSON.stringify({ query: "{ me { username } }" });
  const headers = tokenHeader(keyFor("admin"));
  const post = () => new Request("http://users.test/graphql", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const assertAnswered = async (response: Response) => {
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { data: { me: { username: "admin" } } });
  };

  test("keeps no scope-auth cache and has no request's object as its prototype: Yoga's run, with its HTTP layer or without, and a prepared run", async () => {
    const { app, appWith } = await createTestApp(directoryFixture());
    let preparedAnswers = 0;
    const run = PreparedOperations.prototype.run;
    PreparedOperations.prototype.run = async function (...args) {
      const result = await run.apply(this, args);
      if (result) preparedAnswers++;
      return result;
    };
    try {
      // The first run is Yoga's (it compiles the operation: GRAPHQL_COMPILE_AFTER=0), the second a prepared run.
      for (let run = 0; run < 2; run++) await assertAnswered(await app.fetch(post()));
      // A GET is Yoga's from the start, HTTP layer and all; so is every request with metrics on.
      await assertAnswered(await app.fetch(new Request(`http://users.test/graphql?query=${encodeURIComponent("{ me { username } }")}`, { headers: { accept: "application/json", ...headers } })));
      await assertAnswered(await appWith({ METRICS_TOKEN: "0123456789abcdef0123" }).fetch(post()));
    } finally {
      PreparedOperations.prototype.run = run;
    }
    assert.equal(preparedAnswers, 1, "one answer by a prepared run");
    assert.equal(seen.length, 4, "a context for each operation");
    for (const { context, cache } of seen) {
      // A cache still held would be given again; a released one is made anew.
      assert.notEqual(fromContext(context as GraphQLContext, builder), cache);
      assert.equal(Object.getPrototypeOf(context), Object.prototype);
    }
  });
});
