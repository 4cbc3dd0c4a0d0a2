// The REST route's reference at /api/docs/: Swagger UI (swagger-ui-dist, the
// build its authors ship for pages like this one) over the document at
// /api/schema/. Its files are served as GraphiQL's are (src/http/static-assets.ts):
// from the installed package, named by hash, never from a CDN; the page's
// own start-up is a file too, so the policy needs no inline script.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CSS, escapeHtml, JAVASCRIPT, serveStaticAsset, staticAsset } from "../http/static-assets.ts";
import { API_SCHEMA_PATH } from "./openapi.ts";
import { Response } from "../http/fetch-api.ts";

export const API_DOCS_PATH = "/api/docs/";

/**
 * Only this origin. Swagger UI's icons are data: URLs in its CSS; its styles
 * are all in its stylesheet (React's style properties are not inline markup,
 * which is what 'unsafe-inline' would allow).
 */
export const API_DOCS_CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

const TITLE = "users-gateway REST API";

function buildAssets() {
  const require = createRequire(import.meta.url);
  const folder = dirname(require.resolve("swagger-ui-dist/package.json"));
  const read = (file: string) => readFileSync(join(folder, file));
  // The bundle names its source map, which is not served: a browser's developer tools would only get a 404 for it.
  const withoutSourceMap = (file: string) => Buffer.from(read(file).toString("utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
  const asset = (name: string, extension: string, contentType: string, body: Buffer) =>
    staticAsset(API_DOCS_PATH, name, extension, contentType, body);
  // validatorUrl null: by default Swagger UI shows a badge fetched from validator.swagger.io.
  const options = { url: `${API_SCHEMA_PATH}?format=json`, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null };
  const start = `window.ui = SwaggerUIBundle(Object.assign(${JSON.stringify(options)}, { presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout" }));\n`;
  return {
    bundle: asset("swagger-ui-bundle", "js", JAVASCRIPT, withoutSourceMap("swagger-ui-bundle.js")),
    styles: asset("swagger-ui", "css", CSS, withoutSourceMap("swagger-ui.css")),
    favicon: asset("favicon", "png", "image/png", read("favicon-32x32.png")),
    start: asset("start", "js", JAVASCRIPT, Buffer.from(start)),
  };
}

let assets: ReturnType<typeof buildAssets> | undefined;
// Built on first use: a service whose reference is off never reads them.
const docsAssets = () => (assets ??= buildAssets());

function renderPage(): string {
  const { bundle, styles, favicon, start } = docsAssets();
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(TITLE)}</title>
    <link rel="icon" href="${favicon.path}" />
    <link rel="stylesheet" href="${styles.path}" />
  </head>
  <body>
    <noscript>You need to enable JavaScript to read this reference; the document itself is at ${API_SCHEMA_PATH}.</noscript>
    <div id="swagger-ui"></div>
    <script src="${bundle.path}"></script>
    <script src="${start.path}"></script>
  </body>
</html>
`;
}

let page: string | undefined;

/** /api/docs/ (with or without its slash) and its files; null for a path under it that is no file, or another method. */
export async function serveApiDocs(request: Request, pathname: string): Promise<Response | null> {
  const omitBody = request.method === "HEAD";
  if (request.method !== "GET" && !omitBody) return null;
  if (pathname === API_DOCS_PATH || pathname === API_DOCS_PATH.slice(0, -1)) {
    page ??= renderPage();
    return new Response(omitBody ? null : page, {
      status: 200,
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(page)),
        "Content-Security-Policy": API_DOCS_CONTENT_SECURITY_POLICY,
      },
    });
  }
  return serveStaticAsset(request, pathname, Object.values(docsAssets()));
}
