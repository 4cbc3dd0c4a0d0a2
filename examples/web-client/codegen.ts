// The example's own code generation: typed documents for src/operations.ts
// from the service's committed SDL, and the trusted-documents manifest
// (src/gql/persisted-documents.json, sha256 hashes). Paths are made from this
// file's place, so it runs from the example's folder (`npm run codegen`) or
// from the repository's root (`npm run check:generated` there).
import { fileURLToPath } from "node:url";
import type { CodegenConfig } from "@graphql-codegen/cli";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const config: CodegenConfig = {
  overwrite: true,
  schema: here("../../schema.graphql"),
  documents: [here("src/**/*.ts"), `!${here("src/gql/**")}`],
  ignoreNoDocuments: false,
  generates: {
    [here("src/gql/")]: {
      preset: "client",
      presetConfig: {
        // Fragment masking is for components that declare their own data;
        // this page has none.
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", ID: "string" },
      },
    },
  },
};

export default config;
