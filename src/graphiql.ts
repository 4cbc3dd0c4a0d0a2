// GraphiQL served as a small page and static files. @graphql-yoga/render-graphiql
// ships GraphiQL, its CSS and Monaco's workers as strings and renders them
// all inline, about 9 MB of HTML built and sent on every page view. Here the
// page is a few hundred bytes and each asset is a file named by its content's
// hash: built once per process from the installed package, cached by
// browsers for good, and compressed once per encoding. Nothing comes from a
// CDN, so the page works on networks that reach nothing else.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants as zlibConstants, gzip } from "node:zlib";

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

type Asset = { path: string; contentType: string; body: Buffer; etag: string; encoded: Map<string, Promise<Buffer>> };

function asset(name: string, extension: string, contentType: string, body: Buffer): Asset {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  return { path: `${GRAPHIQL_ASSETS_PATH}${name}.${hash}.${extension}`, contentType, body, etag: `"${hash}"`, encoded: new Map() };
}

function buildAssets() {
  const pkg = readPackageAssets();
  const javascript = "application/javascript; charset=utf-8";
  const workers = {
    editorWorkerService: asset("editor.worker", "js", javascript, Buffer.from(pkg.editorWorkerService)),
    json: asset("json.worker", "js", javascript, Buffer.from(pkg.jsonWorker)),
    graphql: asset("graphql.worker", "js", javascript, Buffer.from(pkg.graphqlWorker)),
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
    script: asset("graphiql", "js", javascript, Buffer.from(script)),
    styles: asset("graphiql", "css", "text/css; charset=utf-8", Buffer.from(pkg.css)),
    favicon: asset("favicon", "ico", favicon?.[1] ?? "image/x-icon", Buffer.from(favicon?.[2] ?? "", "base64")),
    ...workers,
  };
}

let assets: ReturnType<typeof buildAssets> | undefined;
// Built on first use: a service with GraphiQL off never holds them.
const graphiqlAssets = () => (assets ??= buildAssets());

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

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

const compressors: Record<string, (body: Buffer) => Promise<Buffer>> = {
  // Quality 5: within a few percent of the best size at a third of the time.
  br: (body) => promisify(brotliCompress)(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } }),
  gzip: (body) => promisify(gzip)(body),
};

/** The encoding to send: brotli, then gzip, when the client accepts it (q=0 refuses). */
function chooseEncoding(acceptEncoding: string | null): string | null {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...parameters] = part.trim().toLowerCase().split(";");
    const q = parameters.map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
    if (name) accepted.set(name, q === undefined ? 1 : Number(q));
  }
  for (const encoding of ["br", "gzip"]) {
    const q = accepted.get(encoding) ?? accepted.get("*") ?? 0;
    if (q > 0) return encoding;
  }
  return null;
}

/** A GraphiQL asset by path, or null when no asset has that path. */
export async function serveGraphiQLAsset(request: Request, pathname: string): Promise<Response | null> {
  const found = Object.values(graphiqlAssets()).find((candidate) => candidate.path === pathname);
  if (!found) return null;
  const headers: Record<string, string> = {
    "Content-Type": found.contentType,
    // The name changes with the content, so a copy never goes stale.
    "Cache-Control": "public, max-age=31536000, immutable",
    ETag: found.etag,
    Vary: "Accept-Encoding",
  };
  if (request.headers.get("if-none-match")?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === found.etag)) {
    return new Response(null, { status: 304, headers });
  }
  const encoding = chooseEncoding(request.headers.get("accept-encoding"));
  let body = found.body;
  if (encoding) {
    let encoded = found.encoded.get(encoding);
    if (!encoded) found.encoded.set(encoding, (encoded = compressors[encoding]!(found.body)));
    body = await encoded;
    headers["Content-Encoding"] = encoding;
  }
  headers["Content-Length"] = String(body.length);
  return new Response(request.method === "HEAD" ? null : new Uint8Array(body), { status: 200, headers });
}
