// A request's loaders let go of what they read once its answer is built
// (src/loaders.ts, releaseLoaders): asked again afterwards, a loader reads
// again instead of answering from its cache. On a real database, through a
// real Yoga for the GraphQL plugin.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { createSchema, createYoga } from "graphql-yoga";
import { readPaths, type Database } from "../src/db/client.ts";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import { createLoaders, releaseLoaders, type Loaders } from "../src/loaders.ts";
import { useReleaseLoaders } from "../src/plugins/use-release-loaders.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { createTestDatabase } from "./helpers.ts";

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

  test("useReleaseLoaders releases a GraphQL request's loaders once its result is built", async () => {
    const schema = createSchema<{ loaders: Loaders }>({
      typeDefs: "type Query { username(id: Int!): String }",
      resolvers: { Query: { username: async (_, args: { id: number }, ctx) => (await ctx.loaders.userById.load(args.id))?.username } },
    });
    const ask = async (plugins: ReturnType<typeof useReleaseLoaders>[]) => {
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
    assert.equal(await ask([useReleaseLoaders()]), 1);
  });
});
