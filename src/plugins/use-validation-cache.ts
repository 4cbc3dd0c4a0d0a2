import type { DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";

/** Each validated document's errors: none for a valid one. */
export type ValidationResults = WeakMap<DocumentNode, readonly Error[]>;

/** Whether `document` has been validated, every rule applied, and found valid. */
export const validatedAsValid = (results: ValidationResults, document: DocumentNode) => results.get(document)?.length === 0;

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
 *
 * `errorsByDocument` is given by whoever must also read it: a prepared
 * operation (src/http/prepared-operations.ts) runs only a valid document.
 */
export function useValidationCache(errorsByDocument: ValidationResults = new WeakMap()): Plugin {
  return {
    onValidate({ params: { documentAST }, setResult }) {
      const known = errorsByDocument.get(documentAST);
      if (known) return setResult(known);
      return ({ result }) => void errorsByDocument.set(documentAST, result);
    },
  };
}
