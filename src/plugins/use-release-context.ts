// A GraphQL operation's context lets go of what it holds (its loaders' rows,
// the scope-auth plugin's cache for it) as soon as its result is built (see
// releaseContext), rather than when the request's last object is collected.
import type { Plugin } from "graphql-yoga";
import { releaseContext, type GraphQLContext } from "../context.ts";

export function useReleaseContext(): Plugin {
  return {
    onExecute({ args }) {
      // Yoga types the context as its own; ours (src/context.ts) extends it.
      const context = args.contextValue as Partial<GraphQLContext>;
      // The object itself, which the scope-auth plugin's cache is keyed by.
      if (context.loaders) return { onExecuteDone: () => releaseContext(context as GraphQLContext) };
    },
  };
}
