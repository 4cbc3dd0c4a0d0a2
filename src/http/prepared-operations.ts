// A GraphQL operation that Yoga has already parsed, validated and compiled,
// run again without Yoga's and envelop's per-request pipeline around it.
//
// Why: for a GraphQL `user` with every field, that pipeline (the onParams,
// parse, validate, context and execute hooks of 36 plugins, each step a
// chain of closures and promise helpers made anew for every request) and the
// garbage it leaves cost about as much CPU as the operation itself:
// in-process, 194–315 µs a request through Yoga against 118–200 run
// prepared, where the whole REST retrieve of that user costs 92–94 (one
// process, the ways alternating; CPU profiles put 101 µs of the 335 in
// garbage collection through Yoga, 56 run prepared).
//
// An operation is prepared once Yoga's own pipeline has done everything
// that depends on the document alone, and kept its results:
// - its parser cache holds the document for this text (the tokens limit
//   passed, src/plugins/use-operation-limits.ts);
// - src/plugins/use-validation-cache.ts holds no errors for it: every rule
//   passed (graphql-js's, the operation limits, known operation types, the
//   introspection switch);
// - src/plugins/use-compiled-execution.ts has compiled the operation named.
// What every request still needs, a prepared run does with the same code as
// the plugins that do it for Yoga: the access line's operation name
// (src/plugins/use-request-log.ts), the context with its authentication and
// throttling (the `buildContext` Yoga's context option calls too), the
// compiled function, and the loaders' release (src/loaders.ts).
//
// Everything else belongs to a result with errors: masking and logging them,
// their HTTP status, the operation limits' stack check, graphql-jit's
// variable refusals answered in the executor's words. A prepared run with
// any error (or one whose context could not be built) is not answered here:
// Yoga runs the operation again, from its onParams hooks, and answers it as
// it answers every error. It is given the context this run built, so that a
// request is authenticated, throttled and counted once. Only queries are
// prepared, so running one again changes nothing; the schema has no other
// operation type.
//
// The plugins whose hooks this skips must be harmless for a prepared
// operation: test/prepared-operations.test.ts counts every envelop hook, so
// that a new one cannot be skipped unseen, and checks that answers and
// access lines are the same either way. With metrics or trusted documents
// configured, nothing is prepared (src/server.ts): their hooks time every
// operation, or decide which documents may run at all.
import type { DocumentNode, ExecutionResult } from "graphql";
import type { GraphQLParams } from "graphql-yoga";
import { contextOfOperation, releaseContext, type GraphQLContext } from "../context.ts";
import type { CompiledOperations } from "../plugins/use-compiled-execution.ts";
import { noteExecutedOperation } from "../plugins/use-request-log.ts";
import { validatedAsValid, type ValidationResults } from "../plugins/use-validation-cache.ts";
import { requestLogOf } from "./request-log.ts";
import type { ServerContext } from "./request-target.ts";

/** An operation's parameters once its query is known to be text (src/http/graphql-json-post.ts checks them). */
export type QueryParams = GraphQLParams & { query: string };

export type BuildContext = (request: Request, serverContext: ServerContext) => Promise<GraphQLContext>;

export type PreparedOperationSources = {
  /** Yoga's parser cache: a document for each text it has parsed. */
  documents: { get(text: string): DocumentNode | undefined; set(text: string, document: DocumentNode): void };
  validationResults: ValidationResults;
  /** null when nothing is compiled (GRAPHQL_COMPILE_AFTER=never); then nothing is prepared either. */
  compiled: CompiledOperations | null;
};

export class PreparedOperations {
  /** Contexts built by a prepared run whose request Yoga answers after all: Yoga's context option takes them (contextFor). */
  private readonly handedOver = new WeakMap<Request, Promise<GraphQLContext>>();

  constructor(
    private readonly sources: PreparedOperationSources,
    private readonly buildContext: BuildContext,
  ) {}

  /** The context for Yoga's run of `request`: the one a prepared run of it built, or a new one. */
  contextFor(request: Request, serverContext: ServerContext): Promise<GraphQLContext> {
    const built = this.handedOver.get(request);
    if (!built) return this.buildContext(request, serverContext);
    this.handedOver.delete(request);
    return built;
  }

  /**
   * The result of the operation `params` ask for, when it is prepared and
   * runs without an error; null otherwise, for Yoga to answer with the same
   * `request` (and the context built for it here, if any).
   */
  async run(params: QueryParams, request: Request, serverContext: ServerContext): Promise<ExecutionResult | null> {
    const document = this.sources.documents.get(params.query);
    if (!document || !validatedAsValid(this.sources.validationResults, document)) return null;
    const prepared = this.sources.compiled?.compiled(document, params.operationName ?? null);
    if (!prepared || prepared.operation.operation !== "query") return null;

    const context = this.buildContext(request, serverContext);
    const handOver = () => {
      this.handedOver.set(request, context);
      return null;
    };
    let built: GraphQLContext;
    try {
      built = await context;
    } catch {
      return handOver();
    }
    // Where Yoga's onExecute hook names it, once the context is built.
    const log = requestLogOf(request);
    if (log) noteExecutedOperation(log, prepared.operation);
    // What Yoga puts in an operation's context: the server's, the request and its parameters, then ours.
    const contextValue = contextOfOperation(serverContext, { request, params, ...built });
    let result: ExecutionResult;
    try {
      result = await prepared.query.query(undefined, contextValue, params.variables);
    } catch {
      return handOver();
    } finally {
      releaseContext(contextValue);
    }
    // graphql-jit answers refused variables with errors and no data.
    if (result.errors?.length || !("data" in result)) return handOver();
    return result;
  }
}
