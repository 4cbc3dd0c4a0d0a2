import { format } from "node:util";
import { getOperationAST, GraphQLError, type OperationDefinitionNode } from "graphql";
import type { Plugin, YogaLogger } from "graphql-yoga";
import { requestLogOf, type RequestLog } from "../http/request-log.ts";
import type { Logger } from "../logger.ts";

/** A GraphQL Name as a client may send it in `operationName`, before any document is read; longer ones are not logged. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * An execution's errors, each with its request, from the moment they are
 * returned until Yoga masks and logs them (in a later plugin's hook of the
 * same execution: Yoga's masking runs after every plugin given here).
 */
const errorRequests = new WeakMap<object, RequestLog>();

/** The access line names the operation that executes as its document declares it; an anonymous one has no name. */
export function noteExecutedOperation(log: RequestLog, operation: OperationDefinitionNode | null | undefined) {
  log.operation = operation?.name?.value.slice(0, 100);
}

/**
 * Tells the access line (src/http/request-log.ts) the operation's name: the
 * one the document's chosen operation declares once it executes, the
 * client's `operationName` for an operation refused before that. And files
 * each execution error under its request, so that the line Yoga logs for it
 * carries the request's id (yogaLogging below).
 */
export function useRequestLog(): Plugin {
  return {
    onParams({ params, request }) {
      const log = requestLogOf(request);
      if (log && typeof params.operationName === "string" && OPERATION_NAME.test(params.operationName)) {
        log.operation = params.operationName;
      }
    },
    onExecute({ args }) {
      const log = requestLogOf(args.contextValue.request);
      if (!log) return;
      noteExecutedOperation(log, getOperationAST(args.document, args.operationName));
      return {
        onExecuteDone({ result }) {
          if ("errors" in result) for (const error of result.errors ?? []) errorRequests.set(error, log);
        },
      };
    },
  };
}

/**
 * Yoga's `logging` option, written through the service's logger. Yoga logs a
 * string, or an error it has masked: that one is logged with the cause it
 * wraps, the field it failed in, and its request's id where it has one.
 */
export function yogaLogging(logger: Logger): YogaLogger {
  const at =
    (level: keyof YogaLogger) =>
    (...args: unknown[]) => {
      if (!logger.isLevelEnabled(level)) return;
      const [first] = args;
      if (!(first instanceof Error)) return logger[level](format(...args));
      const target = errorRequests.get(first)?.logger ?? logger;
      if (first instanceof GraphQLError && first.path) {
        target[level]({ err: first.originalError ?? first, field: first.path.join(".") }, "GraphQL field failed unexpectedly");
      } else {
        target[level]({ err: first }, "GraphQL request failed unexpectedly");
      }
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
