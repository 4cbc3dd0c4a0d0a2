// Configuration only: the schema's types, its plugins and its auth scopes.
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import type PrismaTypes from "../../generated/sqlite/pothos-types.ts";
import { getDatamodel } from "../../generated/sqlite/pothos-types.ts";
import { accessDeniedError, mayReadUsers } from "../auth/access.ts";
import type { GraphQLContext } from "../context.ts";
import type { Timestamp } from "../timestamps.ts";

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  Scalars: {
    ID: { Input: string; Output: number | string };
    DateTime: { Input: Timestamp; Output: Timestamp };
  };
  AuthScopes: {
    /** Any requester whose token names an active user. */
    authenticated: boolean;
    /** A requester the access rules let read users (src/auth/access.ts). */
    userReader: boolean;
  };
  DefaultFieldNullability: false;
  // `edges: [UserEdge!]!` and `node: User!`: a page holds no gaps.
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  // Connections only (GitHub's argument names, opaque String cursors): no
  // global ids, no node(id:) field, whose ids would be a second way to name a user.
  relay: {
    cursorType: "String",
    clientMutationId: "omit",
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: { list: false, items: false }, description: "The page's items, in the list's order." },
    nodeFieldOptions: { nullable: false, description: "The item." },
    cursorFieldOptions: { description: "Where this item stands, opaque: pass it as after (or before) to read on from it." },
    pageInfoFieldOptions: { description: "Where this page stands in the whole list." },
    pageInfoTypeOptions: { description: "Where a page stands in the whole list, as Relay's connections describe it." },
    hasNextPageFieldOptions: { description: "Whether more items follow this page (reading forwards with first)." },
    hasPreviousPageFieldOptions: { description: "Whether items come before this page: after a cursor, or when reading backwards with last." },
    startCursorFieldOptions: { description: "The first item's cursor; the cursor given when the page is empty." },
    endCursorFieldOptions: { description: "The last item's cursor: pass it as after to read the next page." },
    firstArgOptions: { description: "Read forwards: this many items, from 0 to 100 (20 when neither first nor last is given)." },
    afterArgOptions: { description: "Start after this cursor (an endCursor of a page of the same query)." },
    lastArgOptions: { description: "Read backwards: this many items, from 0 to 100, before `before` or from the end." },
    beforeArgOptions: { description: "End before this cursor (a startCursor of a page of the same query)." },
  },
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.authentication.status === "authenticated",
      userReader: () => mayReadUsers(ctx),
    }),
    unauthorizedError: (_parent, ctx) => accessDeniedError(ctx),
  },
  // The plugin types the objects over Prisma's models; their relations
  // resolve through the per-request loaders (src/users/user-view.ts), not
  // through the plugin's own relation fields.
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
  },
});

builder.queryType({});
