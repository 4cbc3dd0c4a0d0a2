import type { Plugin } from "graphql-yoga";
import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from "@graphql-yoga/plugin-prometheus";
import type { Registry } from "prom-client";
import { asServiceUnavailable } from "../errors.ts";

/** A GraphQL Name short enough to be a label; anything else is "other". */
const LABELLED_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/**
 * An operation's name is the client's choice, and each distinct name is a
 * new series in every metric it labels, held by the service and by
 * Prometheus for as long as they run. A client (or an attacker) sending a new
 * name per request would grow both without end, so only the first this many
 * names are kept as labels; later ones count as "other". The clients of one
 * API use a few dozen.
 */
const MAX_OPERATION_NAMES = 100;

/** The label for an operation's name: itself, "Anonymous", or "other" (see above). */
export function operationNameLabel(names: Set<string>, name: string | undefined): string {
  if (!name || name === "Anonymous") return "Anonymous";
  if (!LABELLED_NAME.test(name)) return "other";
  if (names.has(name)) return name;
  if (names.size >= MAX_OPERATION_NAMES) return "other";
  names.add(name);
  return name;
}

/**
 * What a client sees in `extensions.code`: the code an error carries, the
 * code Yoga gives a failed parse or validation, SERVICE_UNAVAILABLE for an
 * unreachable database and INTERNAL_SERVER_ERROR for anything else (which
 * masking turns into "Unexpected error."), as src/server.ts's maskError does.
 */
function errorCode(params: FillLabelsFnParams): string {
  const code = (params.error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  if (typeof code === "string") return code.slice(0, 64);
  if (params.errorPhase === "parse") return "GRAPHQL_PARSE_FAILED";
  if (params.errorPhase === "validate") return "GRAPHQL_VALIDATION_FAILED";
  return asServiceUnavailable(params.error) ? "SERVICE_UNAVAILABLE" : "INTERNAL_SERVER_ERROR";
}

/**
 * GraphQL's figures by operation, with @graphql-yoga/plugin-prometheus:
 * requests and their latency by operation name and type, and errors by
 * phase and code. Its per-phase histograms and summaries are left out, and
 * so are labels that take a client's values without bound (the URL, field
 * paths with list indexes). Installed only when metrics are on (src/server.ts).
 */
export function useMetrics(registry: Registry): Plugin {
  const names = new Set<string>();
  const operation = (params: FillLabelsFnParams) => ({
    operationName: operationNameLabel(names, params.operationName),
    operationType: params.operationType ?? "unknown",
  });
  return usePrometheus({
    registry,
    // Served by the app (src/metrics/scrape.ts), behind its token.
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: "graphql_envelop_request", help: "GraphQL operations executed, by operation.", labelNames: ["operationName", "operationType"] },
        fillLabelsFn: operation,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: "graphql_envelop_request_duration",
          help: "Time from parsing a GraphQL operation to its result, in seconds, by operation.",
          labelNames: ["operationName", "operationType"],
        },
        fillLabelsFn: operation,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: "graphql_envelop_error_result",
          help: "GraphQL errors in results, by operation, phase and extensions.code (a failed validation counts once).",
          labelNames: ["operationName", "operationType", "phase", "code"],
        },
        fillLabelsFn: (params) => ({ ...operation(params), phase: params.errorPhase ?? "execute", code: errorCode(params) }),
      }),
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: "graphql_yoga_http_duration",
          help: "Time spent on a GraphQL HTTP request, in seconds, by operation and status.",
          labelNames: ["operationName", "operationType", "statusCode"],
        },
        fillLabelsFn: (params, context) => ({ ...operation(params), statusCode: String((context as { response: Response }).response.status) }),
      }),
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
  });
}

