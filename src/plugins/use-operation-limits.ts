import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { GraphQLError, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * How large an operation may be, measured on its document alone, before
 * anything runs. The defaults are set for this schema: a `User` is the only
 * object with fields of its own, `user(id)` and `me` the only ways to one,
 * and nothing nests deeper than `user { invitees { id } }`.
 */
export type OperationLimits = {
  /**
   * Aliased fields, nested ones included. Aliases are the only way to ask
   * for several users at once, so this is the number of users per
   * operation: fifteen, the batching tests' largest query, whose statement
   * count is measured (graphql-armor's default as well).
   * @default 15
   */
  aliases: number;
  /**
   * Levels of fields, fragments not counted (a fragment adds no work). No
   * type of the schema leads back to itself, so data nests seven deep at
   * most (`users { edges { node { inviteesConnection { edges { node { id } } } } } }`);
   * eight leaves a level for `__type` queries. GraphiQL's and tools'
   * `__schema` query is not counted.
   * @default 8
   */
  depth: number;
  /**
   * Tokens of the document (names, punctuation, values), counted while it
   * is parsed, so a larger document is refused before it is parsed whole.
   * Seventeen users with every field spelled out (the most the alias limit
   * allows: fifteen aliases, `user` and `me`) are 895; GraphiQL's
   * introspection query 184.
   * @default 2000
   */
  tokens: number;
  /**
   * Directives, counted through fragments. The schema defines none of its
   * own, so these are `@include` and `@skip`: three on each of fifteen
   * users fit.
   * @default 50
   */
  directives: number;
  /**
   * graphql-armor's cost: 1 per scalar, 2 per object, times 1.5 per level,
   * fragments not counted, and a list field's cost times its `first` or
   * `last` when that is written in the document. A user with every field
   * costs 69 (104 through a fragment used again, as graphql-armor counts),
   * so the seventeen users the alias limit allows cost at most 1,765; a page
   * of `users(first: 50)` with every field 8,547; 5,000 aliased `user(id)`
   * fields 17,500. A `first` passed as a variable counts as 1: what bounds
   * such a page is its size limit (100).
   * @default 10000
   */
  cost: number;
};

export const DEFAULT_OPERATION_LIMITS: OperationLimits = { aliases: 15, depth: 8, tokens: 2_000, directives: 50, cost: 10_000 };

/**
 * graphql-armor throws a refusal out of validation, where Yoga answers it
 * with HTTP 200 and no `extensions.code`. Reported instead, it is one more
 * validation error: Yoga gives it GRAPHQL_VALIDATION_FAILED (HTTP 400 under
 * `application/graphql-response+json`) and caches it with the document, as
 * any other invalid operation. The tokens limit stops the parser, so it
 * keeps graphql-armor's throw: Yoga answers it as GRAPHQL_PARSE_FAILED.
 */
const reportAsValidationError = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/**
 * graphql-js parses, and graphql-armor measures, by recursion: a document
 * nested a few thousand levels deep, which the tokens limit refuses at its
 * default but not when raised, overflows the stack. That RangeError would be
 * masked as an unexpected error (a 500); it is the document's fault, so it is
 * refused as one that cannot be parsed, or as an invalid one.
 */
const isStackOverflow = (error: unknown): boolean =>
  (error instanceof RangeError && /call stack/i.test(error.message)) ||
  // Overflowing while one field's selections are collected, the executor
  // reports it as that field's error, the RangeError as its cause: a chain
  // of fragment spreads thousands long under `me` did so on Node 24, where
  // validation had read the same document without overflowing.
  (error instanceof GraphQLError && isStackOverflow(error.originalError));
const TOO_DEEP = "Syntax Error: the document nests too deeply to be read.";

/**
 * A document that parsed and validated can still nest inline fragments or
 * fragment spreads deeper than the executor's field collection recurses
 * (a few thousand levels, adding no field depth): the same refusal, as a
 * request error, marked as Yoga marks a validation error (HTTP 400 under
 * application/graphql-response+json, 200 under application/json).
 */
const tooDeepToRun = () => ({
  errors: [new GraphQLError(TOO_DEEP, { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { spec: true, status: 400 } } })],
});

/**
 * Refuses an operation whose document passes one of `limits`, before any
 * resolver runs or any SQL is sent; the message names the limit, its value
 * and what was found.
 */
export function useOperationLimits(limits: OperationLimits): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(maxTokensPlugin({ n: limits.tokens }));
      addPlugin(maxAliasesPlugin({ n: limits.aliases, ...reportAsValidationError }));
      addPlugin(maxDepthPlugin({ n: limits.depth, flattenFragments: true, ...reportAsValidationError }));
      addPlugin(maxDirectivesPlugin({ n: limits.directives, ...reportAsValidationError }));
      addPlugin(costLimitPlugin({ maxCost: limits.cost, flattenFragments: true, ...reportAsValidationError }));
    },
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (isStackOverflow(result)) replaceParseResult(new GraphQLError(TOO_DEEP));
      };
    },
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((async (...args: Parameters<typeof executeFn>) => {
        try {
          const result = await executeFn(...args);
          // The executor answers an error of the operation itself as `{ data: null, errors: [error] }`.
          const { errors } = result as { errors?: readonly unknown[] };
          return errors?.some(isStackOverflow) ? tooDeepToRun() : result;
        } catch (error) {
          if (isStackOverflow(error)) return tooDeepToRun();
          throw error;
        }
      }) as typeof executeFn);
    },
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          if (isStackOverflow(error)) return [new GraphQLError(TOO_DEEP)];
          throw error;
        }
      });
    },
  };
}
