// A GraphQL request's loaders let go of what they hold as soon as its result
// is built (see releaseLoaders), rather than when the request's last object
// is collected.
import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "../context.ts";
import { releaseLoaders } from "../loaders.ts";

export function useReleaseLoaders(): Plugin {
  return {
    onExecute({ args }) {
      // Yoga types the context as its own; ours (src/context.ts) extends it.
      const { loaders } = args.contextValue as Partial<GraphQLContext>;
      if (loaders) return { onExecuteDone: () => releaseLoaders(loaders) };
    },
  };
}
