// Browser pages' files (GraphiQL's, the API reference's) served from the
// installed npm packages: each is named by its content's hash, so browsers
// cache it for good, and compressed once per encoding, on first request.
// Nothing comes from a CDN, so the pages work on networks that reach nothing else.
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants as zlibConstants, gzip } from "node:zlib";
import { Response } from "./fetch-api.ts";

export type StaticAsset = { path: string; contentType: string; body: Buffer; etag: string; encoded: Map<string, Promise<Buffer>> };

export const JAVASCRIPT = "application/javascript; charset=utf-8";
export const CSS = "text/css; charset=utf-8";

/** An asset served at `${basePath}${name}.${hash}.${extension}`. */
export function staticAsset(basePath: string, name: string, extension: string, contentType: string, body: Buffer): StaticAsset {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  return { path: `${basePath}${name}.${hash}.${extension}`, contentType, body, etag: `"${hash}"`, encoded: new Map() };
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

/** The asset of `assets` at `pathname`, or null when none has that path. */
export async function serveStaticAsset(request: Request, pathname: string, assets: Iterable<StaticAsset>): Promise<Response | null> {
  let found: StaticAsset | undefined;
  for (const candidate of assets) if (candidate.path === pathname) found = candidate;
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

/** Text for an HTML page: `&`, `<`, `>` and quotes as character references. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
