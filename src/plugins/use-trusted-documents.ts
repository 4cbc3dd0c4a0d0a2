import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { defaultExtractPersistedOperationId, usePersistedOperations, type ExtractPersistedOperationId } from "@graphql-yoga/plugin-persisted-operations";
import { parse } from "graphql";
import { createGraphQLError, type GraphQLParams, type Plugin } from "graphql-yoga";

/** A client's operations, by the id it sends for each (a sha256 hash for GraphQL Code Generator's client preset). */
export type TrustedDocuments = {
  /** The manifest's path, as GRAPHQL_TRUSTED_DOCUMENTS named it. */
  path: string;
  documents: ReadonlyMap<string, string>;
};

// The GraphQL-over-HTTP persisted documents proposal prefixes an id with its
// algorithm (`sha256:…`); the client preset sends the bare hash. Both name
// the same manifest entry.
const ALGORITHM_PREFIX = /^sha256:/;
const bareId = (id: string) => id.replace(ALGORITHM_PREFIX, "");

/**
 * Reads a manifest as the client preset writes it (`persisted-documents.json`:
 * a JSON object from id to document text) and checks it whole, so that a bad
 * one stops the start rather than failing the client's requests one by one.
 * Throws an Error whose message is one line naming what is wrong.
 */
export function readTrustedDocuments(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${JSON.stringify(path)}${code === "ENOENT" ? ": no such file" : code ? `: ${code}` : ""}`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`${JSON.stringify(path)} is not JSON: ${(error as Error).message}`);
  }
  const expected = `expected a JSON object from document id to document text, as the client preset's persisted-documents.json`;
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw new Error(`${JSON.stringify(path)}: ${expected}, got ${Array.isArray(manifest) ? "an array" : manifest === null ? "null" : typeof manifest}`);
  }
  const entries = Object.entries(manifest);
  if (entries.length === 0) throw new Error(`${JSON.stringify(path)} holds no document: every operation would be refused`);
  const documents = new Map<string, string>();
  for (const [id, document] of entries) {
    if (!/^\S+$/.test(id)) throw new Error(`${JSON.stringify(path)}: a document id must be non-empty, without spaces, got ${JSON.stringify(id)}`);
    if (typeof document !== "string") throw new Error(`${JSON.stringify(path)}: ${expected}; the entry ${JSON.stringify(id)} is ${typeof document}`);
    try {
      parse(document);
    } catch (error) {
      throw new Error(`${JSON.stringify(path)}: the document ${JSON.stringify(id)} is not GraphQL: ${(error as Error).message.split("\n")[0]}`);
    }
    // An id that names its algorithm can be checked: a mismatch is a manifest
    // edited by hand or mixed from two builds, which would run the wrong text.
    if (ALGORITHM_PREFIX.test(id) && bareId(id) !== createHash("sha256").update(document).digest("hex")) {
      throw new Error(`${JSON.stringify(path)}: the document ${JSON.stringify(id)} does not have that sha256 hash: regenerate the manifest`);
    }
    documents.set(bareId(id), document);
  }
  return { path, documents };
}

/**
 * The id a request names its document by: the client preset's `documentId`
 * (a POST body's member, or a GET's query parameter: Yoga's GET parser reads
 * only the four standard ones), else Apollo's
 * `extensions.persistedQuery.sha256Hash`.
 */
const documentIdOf: ExtractPersistedOperationId = (params, request, context) => {
  const { documentId } = params as GraphQLParams & { documentId?: unknown };
  if (typeof documentId === "string") return bareId(documentId);
  if (request.method === "GET" || request.method === "HEAD") {
    const fromUrl = new URL(request.url).searchParams.get("documentId");
    if (fromUrl) return bareId(fromUrl);
  }
  const apolloHash = defaultExtractPersistedOperationId(params, request, context);
  return apolloHash === null ? null : bareId(apolloHash);
};

/**
 * Runs only the documents of `trusted`, named by id; a document's text is
 * refused. The trusted text then goes through the same parse (with the
 * tokens limit), validation (with the other operation limits) and parser
 * cache as any document: a manifest is trusted to name operations, not to
 * skip the limits.
 */
export function useTrustedDocuments(trusted: TrustedDocuments): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (id) => trusted.documents.get(id) ?? null,
    extractPersistedOperationId: documentIdOf,
    customErrors: {
      persistedQueryOnly: {
        message: `This service runs trusted documents only: send the document's id as "documentId" (or as extensions.persistedQuery.sha256Hash), not its text as "query".`,
        extensions: { code: "PERSISTED_QUERY_ONLY", http: { status: 400 } },
      },
      keyNotFound: {
        message: `Must provide "documentId": this service runs trusted documents only.`,
        extensions: { code: "BAD_REQUEST", http: { status: 400 } },
      },
      // A function, to put the id in the message: the client's developer
      // sees at once which operation the service's manifest lacks.
      notFound: ({ params, request, context }) => {
        const id = documentIdOf(params, request, context);
        return createGraphQLError(
          `No trusted document has the id ${JSON.stringify(id)}: the service's manifest does not hold this operation (regenerate it with the client's code generator, and restart the service with it).`,
          { extensions: { code: "PERSISTED_QUERY_NOT_FOUND", http: { status: 404 } } },
        );
      },
    },
  });
}
