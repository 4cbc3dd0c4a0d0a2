// GraphiQL served as a small page and static files. @graphql-yoga/render-graphiql
// ships GraphiQL, its CSS and Monaco's workers as strings and renders them
// all inline, about 9 MB of HTML built and sent on every page view. Here the
// page is a few hundred bytes and each asset is a file named by its content's
// hash: built once per process from the installed package, cached by
// browsers for good, and compressed once per encoding. Nothing comes from a
// CDN, so the page works on networks that reach nothing else.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CSS, escapeHtml, JAVASCRIPT, serveStaticAsset, staticAsset } from "./http/static-assets.ts";

/** Where the assets are served; the router sends every path under it here. */
export const GRAPHIQL_ASSETS_PATH = "/graphiql/";

/** What the browser may load on the page: only this origin, and the inline styles Monaco sets. */
export const GRAPHIQL_CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; worker-src 'self'; frame-ancestors 'none'";

type PackageAssets = Record<"js" | "css" | "favicon" | "editorWorkerService" | "jsonWorker" | "graphqlWorker", string>;

// The package exports only its inline renderer; its asset strings live beside it.
function readPackageAssets(): PackageAssets {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@graphql-yoga/render-graphiql");
  return require(join(dirname(entry), "graphiql.js")) as PackageAssets;
}

const asset = (name: string, extension: string, contentType: string, body: Buffer) =>
  staticAsset(GRAPHIQL_ASSETS_PATH, name, extension, contentType, body);

function buildAssets() {
  const pkg = readPackageAssets();
  const workers = {
    editorWorkerService: asset("editor.worker", "js", JAVASCRIPT, Buffer.from(pkg.editorWorkerService)),
    json: asset("json.worker", "js", JAVASCRIPT, Buffer.from(pkg.jsonWorker)),
    graphql: asset("graphql.worker", "js", JAVASCRIPT, Buffer.from(pkg.graphqlWorker)),
  };
  const workerUrls = Object.fromEntries(Object.entries(workers).map(([label, worker]) => [label, worker.path]));
  // Monaco asks for a worker by label; the page's options come from a JSON
  // block of the page, so the script itself never changes per request.
  const script = [
    `self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (moduleId, label) { return ${JSON.stringify(workerUrls)}[label]; } };`,
    `${pkg.js};`,
    `YogaGraphiQL.renderYogaGraphiQL(document.querySelector("#root"), JSON.parse(document.getElementById("graphiql-options").textContent));`,
  ].join("\n");
  const favicon = /^data:([^;]+);base64,(.*)$/s.exec(pkg.favicon);
  return {
    script: asset("graphiql", "js", JAVASCRIPT, Buffer.from(script)),
    styles: asset("graphiql", "css", CSS, Buffer.from(pkg.css)),
    favicon: asset("favicon", "ico", favicon?.[1] ?? "image/x-icon", Buffer.from(favicon?.[2] ?? "", "base64")),
    ...workers,
  };
}

let assets: ReturnType<typeof buildAssets> | undefined;
// Built on first use: a service with GraphiQL off never holds them.
const graphiqlAssets = () => (assets ??= buildAssets());

/** The page, as Yoga's `renderGraphiQL` option: `options` are GraphiQL's (title, endpoint, defaultQuery…). */
export function renderGraphiQLPage(options: Record<string, unknown> & { title?: string }): string {
  const { script, styles, favicon } = graphiqlAssets();
  // "<" escaped, so no value can close the script element it sits in.
  const json = JSON.stringify(options).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? "GraphiQL")}</title>
    <link rel="icon" href="${favicon.path}" />
    <link rel="stylesheet" href="${styles.path}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${json}</script>
    <script src="${script.path}"></script>
  </body>
</html>
`;
}

/** A GraphiQL asset by path, or null when no asset has that path. */
export const serveGraphiQLAsset = (request: Request, pathname: string) =>
  serveStaticAsset(request, pathname, Object.values(graphiqlAssets()));
