// The HTTP app as one fetch handler: Yoga at /graphql, GraphiQL's files, the
// REST route, the health check, an index at /, and a JSON 404 for everything
// else. Tests call `fetch` in-process; src/http/node-server.ts puts it on a port.
import cluster from "node:cluster";
import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import type { DocumentNode } from "graphql";
import { LRUCache } from "lru-cache";
import { createYoga, maskError as defaultMaskError, shouldRenderGraphiQL, type Plugin } from "graphql-yoga";
import { UseRecorder } from "./auth/use-recorder.ts";
import { RequesterCache } from "./auth/requester-cache.ts";
import { GroupPermissionsCache } from "./group-permissions-cache.ts";
import { createContext, fetchFromYoga, type GraphQLContext } from "./context.ts";
import type { Database } from "./db/client.ts";
import type { Config } from "./env.ts";
import { asServiceUnavailable, badRequestDetail, SERVER_ERROR_DETAIL, ServiceUnavailableError } from "./errors.ts";
import { DEMO_ADMIN_KEY } from "./fixtures/demo-data.ts";
import { GRAPHIQL_ASSETS_PATH, GRAPHIQL_CONTENT_SECURITY_POLICY, renderGraphiQLPage, serveGraphiQLAsset } from "./graphiql.ts";
import { answerJsonPost } from "./http/graphql-json-post.ts";
import { PreparedOperations, type PreparedOperationSources } from "./http/prepared-operations.ts";
import { hostName, isAllowedHost } from "./http/hosts.ts";
import { loggerFor, REQUEST_ID_HEADER, startRequestLog } from "./http/request-log.ts";
import { requestPath, type ServerContext } from "./http/request-target.ts";
import { addResponseHeaders, isCorsPreflight } from "./http/response-headers.ts";
import type { Logger } from "./logger.ts";
import { metricsFromPrimary } from "./metrics/cluster-metrics.ts";
import { createMetrics } from "./metrics/metrics.ts";
import { METRICS_PATH, serveMetrics, type ReadMetrics } from "./metrics/scrape.ts";
import { useReleaseContext } from "./plugins/use-release-context.ts";
import { CompiledOperations, useCompiledExecution } from "./plugins/use-compiled-execution.ts";
import { useDisableIntrospection } from "./plugins/use-disable-introspection.ts";
import { useJsonRequestsOnly } from "./plugins/use-json-requests-only.ts";
import { useKnownOperationTypes } from "./plugins/use-known-operation-types.ts";
import { useMetrics } from "./plugins/use-metrics.ts";
import { useOperationLimits } from "./plugins/use-operation-limits.ts";
import { useRequestLog, yogaLogging } from "./plugins/use-request-log.ts";
import { useTrustedDocuments } from "./plugins/use-trusted-documents.ts";
import { useValidationCache } from "./plugins/use-validation-cache.ts";
import { API_DOCS_PATH, serveApiDocs } from "./rest/api-docs.ts";
import { jsonResponse, notFoundResponse } from "./rest/json.ts";
import { API_SCHEMA_PATH, serveOpenApi } from "./rest/openapi.ts";
import { USER_ROUTE_PATH } from "./rest/user-route.ts";
import { matchUserPath, retrieveUser } from "./rest/users.ts";
import { schema } from "./schema/index.ts";
import { Throttle } from "./throttle/throttle.ts";
import { Response } from "./http/fetch-api.ts";

const GRAPHIQL_EXAMPLE_QUERY = `query User {
  user(id: 2) {
    id
    username
    fullName
    isOnline
    invitedBy { id username fullName }
    invitees { id username fullName }
    groups { id name }
    permissions { id code name }
  }
  me { username }
}
`;

/** The key is shown only where it opens this database: the demo data's, and nowhere else. */
function graphiqlDefaultQuery(showDemoKey: boolean): string {
  const demoKeyLines = showDemoKey ? `# The demo data is loaded; its admin key:\n#   ${DEMO_ADMIN_KEY}\n` : "";
  return `# Send an API key: in the Headers tab below,
#   {"Authorization": "Token <your key>"}
# npm run cli -- token create <username>
# makes one.
${demoKeyLines}
${GRAPHIQL_EXAMPLE_QUERY}`;
}

export type AppDependencies = {
  db: Database;
  config: Config;
  logger: Logger;
  /** Whether GraphiQL's default query may show the demo admin's key (src/fixtures/demo-data.ts). */
  showDemoKey?: boolean;
};

export function createApp({ db, config, logger, showDemoKey = false }: AppDependencies) {
  const uses = new UseRecorder(db, logger);
  const requesters = new RequesterCache(db, config.requesterCacheSize);
  const groupPermissions = new GroupPermissionsCache(db, config.groupPermissionsCacheSize);
  const throttle = new Throttle({ ...config.throttle, trustProxyHops: config.http.trustProxyHops }, logger);
  // Kept for Yoga's pipeline, and read by prepared runs (src/http/prepared-operations.ts).
  const preparedSources: PreparedOperationSources = {
    // As many documents, kept as long, as Yoga's own parser cache keeps by default.
    documents: new LRUCache<string, DocumentNode>({ max: 1024, ttl: 3_600_000 }),
    validationResults: new WeakMap(),
    compiled: config.graphql.compileAfter === null ? null : new CompiledOperations(config.graphql.compileAfter),
  };
  const plugins: Plugin[] = [
    useValidationCache(preparedSources.validationResults),
    useRequestLog(),
    useJsonRequestsOnly(),
    useKnownOperationTypes(),
    useOperationLimits(config.graphql.limits),
    useCompiledExecution(preparedSources.compiled),
    useReleaseContext(),
  ];
  // Swaps a trusted document's id for its text before Yoga parses it, so the
  // limits above apply to it as to any document.
  if (config.graphql.trustedDocuments) plugins.push(useTrustedDocuments(config.graphql.trustedDocuments));
  // "Did you mean …" in a validation error names fields and types: with
  // introspection off the schema is not to be explored, so they are hidden too.
  if (!config.graphql.introspection) plugins.push(useDisableIntrospection(), blockFieldSuggestionsPlugin());
  // Off unless asked for: then not even collected, and a request pays for nothing.
  const metrics = config.metrics.token !== null || config.metrics.port !== null ? createMetrics(db) : null;
  if (metrics) plugins.push(useMetrics(metrics.registry));
  // A worker's own figures are a share of the instance's: its primary adds them all up.
  const readMetrics: ReadMetrics | null =
    metrics && (cluster.isWorker ? metricsFromPrimary : async () => ({ text: await metrics.registry.metrics(), contentType: metrics.registry.contentType }));
  // A GraphQL request has no permission of its own (each field has): the
  // requester's rate is checked once it is known.
  const buildContext = async (request: Request, serverContext: ServerContext) => {
    const ctx = await createContext(request, serverContext, { db, config, uses, requesters, groupPermissions, throttle });
    await throttle.checkRequester(ctx);
    return ctx;
  };
  const prepared = new PreparedOperations(preparedSources, buildContext);
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    logging: yogaLogging(logger),
    plugins,
    multipart: false,
    // CORS is the app's, for every route (src/http/response-headers.ts).
    cors: false,
    // MAX_BODY_BYTES is enforced by the Node server before a Request exists
    // (src/http/node-server.ts), for both APIs; Yoga's own check (25 MB by
    // default) would only count every body a second time.
    maxRequestBodySize: false,
    // Documents are still parsed once (in Yoga's own cache, as large as its
    // default); useValidationCache (above) validates each once too, for less.
    parserAndValidationCache: { documentCache: preparedSources.documents, validationCache: false },
    graphiql: config.graphql.graphiql ? { title: "users-gateway", defaultQuery: graphiqlDefaultQuery(showDemoKey) } : false,
    renderGraphiQL: renderGraphiQLPage,
    context: ({ request, req }) => prepared.contextFor(request, { req }),
    maskedErrors: {
      // Pinned, never read from NODE_ENV: only DEBUG_ERRORS shows a client
      // an unexpected error's message and stack.
      isDev: config.debugErrors,
      // Errors meant for clients pass (Yoga's default keeps GraphQLErrors),
      // an unreachable database becomes SERVICE_UNAVAILABLE, the rest "Unexpected error."
      maskError: (error, message, isDev) => asServiceUnavailable(error) ?? defaultMaskError(error, message, isDev),
    },
  });

  // The common request the short way (src/http/graphql-json-post.ts), unless
  // a plugin times requests in Yoga's HTTP hooks, which that way skips; and
  // its operation prepared, unless a plugin's hook must see every operation
  // (src/http/prepared-operations.ts).
  const graphqlJsonPost = metrics === null;
  const runPrepared = metrics === null && !config.graphql.trustedDocuments;

  async function route(request: Request, serverContext: ServerContext): Promise<Response> {
    const pathname = requestPath(request, serverContext);
    // Before the Host check: probes send the pod's address, not a public name.
    if (pathname === "/healthz") return checkHealth(request, db);
    // So are scrapers; and before any throttle: a scrape is never counted against a client's rate.
    // With METRICS_PORT, the figures are served on that port only (src/index.ts).
    if (pathname === METRICS_PATH && readMetrics && config.metrics.token !== null && config.metrics.port === null) {
      return answerMetrics(request, config.metrics.token, readMetrics, logger);
    }
    const hostRefusal = refuseHost(request, config.http.allowedHosts);
    if (hostRefusal) return jsonResponse(400, { detail: hostRefusal });
    // Answered for any path once CORS is on; the CORS headers, for a listed origin only, are added below.
    if (config.http.corsOrigins.length > 0 && isCorsPreflight(request)) return new Response(null, { status: 204 });
    const omitBody = request.method === "HEAD";

    if (pathname === "/graphql") {
      // Yoga would answer a browser an empty 406; a page that is off is not found.
      if (!config.graphql.graphiql && shouldRenderGraphiQL(request)) return notFoundResponse();
      const response = (graphqlJsonPost && (await answerJsonPost(yoga, request, serverContext, runPrepared ? prepared : null))) || (await fetchFromYoga(yoga, request, serverContext));
      if (response.headers.get("content-type")?.startsWith("text/html")) {
        response.headers.set("Content-Security-Policy", GRAPHIQL_CONTENT_SECURITY_POLICY);
      }
      return response;
    }
    if (pathname.startsWith(GRAPHIQL_ASSETS_PATH) && config.graphql.graphiql && (request.method === "GET" || omitBody)) {
      const asset = await serveGraphiQLAsset(request, pathname);
      if (asset) return asset;
    }
    if (pathname === "/") return jsonResponse(200, endpointIndex(config), { omitBody });
    if (isApiSchemaPath(pathname) && apiSchemaServed(config)) return serveOpenApi(request);
    if (pathname.startsWith(API_DOCS_PATH.slice(0, -1)) && apiDocsServed(config)) {
      const docs = await serveApiDocs(request, pathname);
      if (docs) return docs;
    }
    const userPath = matchUserPath(pathname);
    if (userPath) return retrieveUser(request, serverContext, userPath.idText, { db, config, uses, requesters, groupPermissions, throttle, logger });
    return notFoundResponse(omitBody);
  }

  /**
   * Never throws: whatever escapes a route is logged and answered 500 with no
   * detail of its cause. Every answer carries its request's id and is logged
   * in one line (src/http/request-log.ts).
   */
  async function fetch(request: Request, serverContext: ServerContext = {}): Promise<Response> {
    const started = metrics ? performance.now() : 0;
    const log = startRequestLog(request, logger);
    let response: Response;
    try {
      response = await route(request, serverContext);
    } catch (error) {
      if (request.signal.aborted) {
        // The client went away, or a timeout cut it off, before its body was
        // read: Yoga gives up with an AbortError. Nothing failed here, and
        // nobody is left to answer; 499 is nginx's code for it in logs.
        log.logger.debug({ method: request.method, path: requestPath(request, serverContext) }, "Request abandoned by the client");
        return new Response(null, { status: 499 });
      }
      log.logger.error({ err: error }, "Request failed unexpectedly");
      response = jsonResponse(500, { detail: SERVER_ERROR_DETAIL });
    }
    response.headers.set(REQUEST_ID_HEADER, log.id);
    const pathname = requestPath(request, serverContext);
    const template = routeTemplate(pathname);
    log.end(request.method, response.status, template, pathname);
    metrics?.observeRequest(request.method, template, response.status, (performance.now() - started) / 1000);
    return addResponseHeaders(response, request, config.http.corsOrigins);
  }

  /** Call before the database is disconnected: writes the uses still gathered, and lets Redis go. */
  const close = async () => {
    await uses.flush();
    await throttle.close();
  };

  /** Call before serving: waits (boundedly) for the throttle's Redis, when there is one. */
  const ready = () => throttle.connected();

  return { fetch, yoga, uses, ready, close, readMetrics };
}

/** The figures, or a 503 when a worker's primary could not collect them in time (logged). */
async function answerMetrics(request: Request, token: string, read: ReadMetrics, logger: Logger): Promise<Response> {
  try {
    return await serveMetrics(request, token, read);
  } catch (error) {
    loggerFor(request, logger).warn({ err: error }, "Metrics could not be collected");
    return jsonResponse(503, { detail: "The metrics could not be collected. Try again shortly." });
  }
}

/**
 * The REST route's OpenAPI document describes the API as GraphQL's
 * introspection does, so GRAPHQL_INTROSPECTION=false hides both; the rendered
 * reference is a developer's page like GraphiQL, so it needs GRAPHIQL too.
 * When served, they are open to anyone, as drf-spectacular's views are by
 * default: they describe the route, never its data.
 */
const apiSchemaServed = (config: Config) => config.graphql.introspection;
const apiDocsServed = (config: Config) => config.graphql.introspection && config.graphql.graphiql;
const isApiSchemaPath = (pathname: string) => pathname === API_SCHEMA_PATH || pathname === API_SCHEMA_PATH.slice(0, -1);

/** The route `route` above sends a path to, as the access line names it; undefined for none (a 404). */
function routeTemplate(pathname: string): string | undefined {
  if (pathname === "/graphql" || pathname === "/healthz" || pathname === "/" || pathname === METRICS_PATH) return pathname;
  if (pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return `${GRAPHIQL_ASSETS_PATH}{file}`;
  if (matchUserPath(pathname)) return USER_ROUTE_PATH;
  if (isApiSchemaPath(pathname)) return API_SCHEMA_PATH;
  if (pathname === API_DOCS_PATH || pathname === API_DOCS_PATH.slice(0, -1)) return API_DOCS_PATH;
  if (pathname.startsWith(API_DOCS_PATH)) return `${API_DOCS_PATH}{file}`;
  return undefined;
}

/** The endpoints, for whoever opens the service's root; paths only, so the Host header shapes nothing. */
function endpointIndex(config: Config) {
  return {
    graphql: "/graphql",
    graphiql: config.graphql.graphiql ? "/graphql (open in a browser)" : null,
    user: USER_ROUTE_PATH,
    schema: apiSchemaServed(config) ? API_SCHEMA_PATH : null,
    docs: apiDocsServed(config) ? API_DOCS_PATH : null,
    health: "/healthz",
  };
}

/** Django's two Host checks: a valid host name, and one of ALLOWED_HOSTS when that is set. */
function refuseHost(request: Request, allowedHosts: string[] | null): string | null {
  // In-process requests carry no Host header; their URL's host stands in for it.
  const name = hostName(request.headers.get("host") ?? new URL(request.url).host);
  if (name === null) return badRequestDetail.malformedHost;
  if (allowedHosts && !isAllowedHost(name, allowedHosts)) return badRequestDetail.disallowedHost(name);
  return null;
}

/** 200 when the database answers, 503 when it does not: a load balancer's readiness probe. GET and HEAD only. */
async function checkHealth(request: Request, db: Database): Promise<Response> {
  const omitBody = request.method === "HEAD";
  if (request.method !== "GET" && !omitBody) {
    return jsonResponse(405, { detail: `Method ${JSON.stringify(request.method)} not allowed.` }, { headers: { Allow: "GET, HEAD" } });
  }
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return jsonResponse(200, { status: "ok" }, { omitBody });
  } catch {
    return jsonResponse(503, { status: "unavailable", detail: new ServiceUnavailableError().message }, { omitBody });
  }
}
