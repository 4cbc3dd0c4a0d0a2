import type { DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * Validates each parsed document once: its errors (none, for a valid one)
 * are kept for as long as Yoga's document cache keeps the document itself,
 * which hands out the same DocumentNode for the same text.
 *
 * Yoga's own validation cache (turned off in src/server.ts) keys its entries
 * by the validation rules' names as well, and to find them joins the names of
 * all of them (graphql-js's 25 and the operation limits') on every request: a
 * GraphQL `user` request spent about 10 µs of its 550 on that (CPU profile,
 * bench scenario c). Here the rules are the same for every request, as the
 * plugins that add them are fixed when the app is made, so the document
 * alone is the key.
 *
 * Must come before any plugin whose validation hook changes the result: what
 * is kept is what validation itself answered, and those hooks run again on
 * it for every request, as they did on the first.
 */
export function useValidationCache(): Plugin {
  const errorsByDocument = new WeakMap<DocumentNode, readonly Error[]>();
  return {
    onValidate({ params: { documentAST }, setResult }) {
      const known = errorsByDocument.get(documentAST);
      if (known) return setResult(known);
      return ({ result }) => void errorsByDocument.set(documentAST, result);
    },
  };
}
