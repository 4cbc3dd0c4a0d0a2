// The HTTP app as one fetch handler: Yoga at /graphql, the REST route, the
// health check, and a JSON 404 for everything else. Tests call `fetch`
// in-process; src/index.ts puts it on a port.
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { createYoga, maskError as defaultMaskError, type Plugin } from "graphql-yoga";
import { createContext, type GraphQLContext } from "./context.ts";
import type { Database } from "./db.ts";
import type { Config } from "./env.ts";
import { asServiceUnavailable, ServiceUnavailableError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { useDisableIntrospection } from "./plugins/use-disable-introspection.ts";
import { jsonResponse, notFoundResponse } from "./rest/json.ts";
import { matchUserPath, retrieveUser } from "./rest/users.ts";
import { schema } from "./schema/index.ts";

const GRAPHIQL_DEFAULT_QUERY = `# Send an API key: in the Headers tab below,
#   {"Authorization": "Token <your key>"}
# npm run cli -- token create <username>
# makes one. The demo data's admin key:
#   f4e75eab6e0f663a972d145478d6fc4b81762070

query User {
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

export type AppDependencies = { db: Database; config: Config; logger: Logger };

export function createApp({ db, config, logger }: AppDependencies) {
  const plugins: Plugin[] = config.graphql.introspection ? [] : [useDisableIntrospection()];
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    logging: logger,
    plugins,
    graphiql: config.graphql.graphiql ? { title: "users-gateway", defaultQuery: GRAPHIQL_DEFAULT_QUERY } : false,
    // GraphiQL's assets come inline from the package, not from a CDN: the
    // page works on networks that reach nothing else.
    renderGraphiQL,
    context: ({ request }) => createContext(request, db, config),
    maskedErrors: {
      // Errors meant for clients pass (Yoga's default keeps GraphQLErrors),
      // an unreachable database becomes SERVICE_UNAVAILABLE, the rest "Unexpected error."
      maskError: (error, message, isDev) => asServiceUnavailable(error) ?? defaultMaskError(error, message, isDev),
    },
  });

  async function fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/graphql") return yoga.fetch(request);
    if (pathname === "/healthz") return checkHealth(db);
    const userPath = matchUserPath(pathname);
    if (userPath) return retrieveUser(request, userPath.idText, { db, config, logger });
    return notFoundResponse(request.method === "HEAD");
  }

  return { fetch, yoga };
}

/** 200 when the database answers, 503 when it does not: a load balancer's readiness probe. */
async function checkHealth(db: Database): Promise<Response> {
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return jsonResponse(200, { status: "ok" });
  } catch {
    return jsonResponse(503, { status: "unavailable", detail: new ServiceUnavailableError().message });
  }
}
