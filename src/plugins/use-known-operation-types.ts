import { GraphQLError, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * The GraphQL spec's "Operation Type Existence" rule (graphql-js 17's
 * KnownOperationTypesRule; graphql 16 lacks it): an operation whose root type
 * the schema does not define is invalid.
 */
const KnownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(new GraphQLError(`The ${node.operation} operation is not supported by the schema.`, { nodes: node }));
    }
  },
});

/**
 * The schema has queries only. Without this rule graphql 16 finds that out
 * while executing: a mutation came back as `data: null`, and a subscription
 * with errors and no `data` under HTTP 200, which GraphQL over HTTP forbids
 * for `application/graphql-response+json` (a response without data MUST be a
 * 4xx or 5xx). Refused in validation, both are GRAPHQL_VALIDATION_FAILED,
 * with the status of any invalid operation.
 */
export function useKnownOperationTypes(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(KnownOperationTypesRule);
    },
  };
}
