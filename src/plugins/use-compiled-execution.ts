// GraphQL execution by graphql-jit: each operation is compiled once into a
// JavaScript function for its exact shape, instead of the executor walking
// the document, the schema and its type checks again for every object of
// every answer. Under load that walk was a fifth of the CPU of ten aliased
// users (bench scenario d: @graphql-tools/executor, graphql-js and
// @graphql-tools/utils in a CPU profile); compiled, scenario c went from about
// 1,700 to 2,040 requests/s and d from 600 to 790 (two pairs each, one
// service process).
//
// graphql-jit is called here rather than through @envelop/graphql-jit, whose
// few lines of glue would leave these differences in the answers; they stay
// as the executor Yoga runs otherwise (@graphql-tools/executor) gives them:
// - A request with a variable graphql-jit refuses goes to the executor, for
//   its message, locations and HTTP status 400 (graphql-jit answered 200, in
//   its own words). Both coerce by the schema's own scalars; the property
//   test of test/hostile-input.test.ts checks that they refuse the same
//   values of every JSON type for an ID variable.
// - graphql-jit's errors carry locations but not the document's nodes, from
//   which Yoga writes them; each becomes the GraphQLError the executor makes
//   (at the fields of its path, the resolver's error as its originalError),
//   so Yoga masks and writes it as before, and the request log finds it.
// - An operation graphql-jit cannot compile, or a document without the
//   operation asked for, goes to that executor, for its own answer.
// An operation is compiled once it has run GRAPHQL_COMPILE_AFTER times
// (default 10), by the executor until then: compiling costs from 1 ms (a user
// with every field) to 24 ms (fifteen such users), 10 to 20 runs of it, so a
// client sending ever new documents, which the executor serves for the price
// of their parsing and validation, would have made each cost that much more.
// Ten runs bound that to about as much again, and repeated operations, a
// frontend's, are compiled after their first seconds. Mercurius, the other
// graphql-jit user of note, has the same threshold (its `jit` option).
// `never` keeps the executor for every operation.
//
// One difference is kept: when two sibling fields fail and their parent
// becomes null, graphql-jit reports both errors, the executor only the first
// to settle. The spec asks for every field error.
import {
  getOperationAST,
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { Plugin } from "graphql-yoga";

type Execute = (args: ExecutionArgs) => unknown;

/** An operation's runs so far, and once compiled its function (null: it does not compile). */
type Operation = { runs: number; compiled?: CompiledQuery | null };

/** An operation compiled, with its definition in the document. */
export type CompiledOperation = { operation: OperationDefinitionNode; query: CompiledQuery };

/**
 * The operations run so far and their compiled functions. By document, then
 * operation name: Yoga's parser cache hands out the same document object for
 * the same text, and a document dropped from it is dropped here.
 */
export class CompiledOperations {
  private readonly operations = new WeakMap<DocumentNode, Map<string | null, Operation>>();

  /** `compileAfter`: runs by the executor before an operation is compiled. */
  constructor(private readonly compileAfter: number) {}

  /** Counts a run of the operation `args` ask for; its compiled function once it has run `compileAfter` times. */
  compiledFor(args: ExecutionArgs): CompiledQuery | null {
    let byName = this.operations.get(args.document);
    if (!byName) this.operations.set(args.document, (byName = new Map()));
    const name = args.operationName ?? null;
    let operation = byName.get(name);
    if (!operation) byName.set(name, (operation = { runs: 0 }));
    if (operation.compiled === undefined && operation.runs++ >= this.compileAfter) {
      const result = compileQuery(args.schema, args.document, name ?? undefined);
      operation.compiled = isCompiledQuery(result) ? result : null;
    }
    return operation.compiled ?? null;
  }

  /** The operation `operationName` names in `document`, when it has been compiled; counts no run. */
  compiled(document: DocumentNode, operationName: string | null): CompiledOperation | null {
    const query = this.operations.get(document)?.get(operationName)?.compiled;
    const operation = query ? getOperationAST(document, operationName) : null;
    return query && operation ? { operation, query } : null;
  }
}

/** Runs operations compiled once `operations` has compiled them; null keeps the executor for every one. */
export function useCompiledExecution(operations: CompiledOperations | null): Plugin {
  if (operations === null) return {};

  const executeCompiled = (args: ExecutionArgs, executor: Execute): unknown => {
    const operation = getOperationAST(args.document, args.operationName);
    const query = operation && operations.compiledFor(args);
    if (!operation || !query) return executor(args);
    const answer = query.query(args.rootValue, args.contextValue, args.variableValues);
    // Variables it refuses, graphql-jit answers at once with errors and no
    // data: the executor then answers them, in its own words. Coercing them
    // first with the executor's own function, to know, cost (c) 4% of its CPU
    // (23 µs a request in three alternating pairs: 1,959 / 2,003 / 2,111
    // → 2,097 / 2,066 / 2,163 req/s).
    if (!isPromiseLike(answer) && !("data" in answer)) return executor(args);
    return Promise.resolve(answer).then((result) => withExecutorErrors(result, operation, args.document));
  };

  return {
    onExecute({ executeFn, setExecuteFn }) {
      const executor = executeFn as Execute;
      setExecuteFn(((args: ExecutionArgs) => executeCompiled(args, executor)) as typeof executeFn);
    },
  };
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === "function";

function withExecutorErrors(result: ExecutionResult, operation: OperationDefinitionNode, document: DocumentNode): ExecutionResult {
  const { errors, data, extensions } = result;
  if (!errors?.length) return result;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const located = errors.map((error) => asExecutorError(error, operation, fragments));
  // In the executor's order, errors first (graphql-jit puts data first).
  return { errors: located, data, ...(extensions ? { extensions } : {}) };
}

/** An error as the executor's locatedError() makes it, from graphql-jit's. */
function asExecutorError(error: GraphQLError, operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): GraphQLError {
  if (error.nodes || !error.path) return error;
  const nodes = fieldNodesAt(operation.selectionSet, error.path, fragments);
  // graphql-jit's own errors (a null in a non-null field) have no
  // originalError; the executor's have a plain Error, which Yoga masks.
  const originalError = error.originalError ?? new Error(error.message);
  return new GraphQLError(error.message, { nodes, path: error.path, originalError });
}

/** The field nodes a response path names (list indices skipped), through fragments, as the executor collects them. */
function fieldNodesAt(
  selectionSet: SelectionSetNode,
  path: readonly (string | number)[],
  fragments: Map<string, FragmentDefinitionNode>,
): FieldNode[] {
  let selectionSets = [selectionSet];
  let nodes: FieldNode[] = [];
  for (const key of path) {
    if (typeof key === "number") continue;
    nodes = selectionSets.flatMap((set) => fieldsNamed(set, key, fragments));
    selectionSets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  }
  return nodes;
}

function fieldsNamed(selectionSet: SelectionSetNode, responseKey: string, fragments: Map<string, FragmentDefinitionNode>): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return (selection.alias ?? selection.name).value === responseKey ? [selection] : [];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsNamed(selection.selectionSet, responseKey, fragments);
    const fragment = fragments.get(selection.name.value);
    return fragment ? fieldsNamed(fragment.selectionSet, responseKey, fragments) : [];
  });
}
