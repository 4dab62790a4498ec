// Typed documents from idgraph's schema file (no running server needed):
// every graphql(`…`) in src/ gets its result and variables types in src/gql/.
// CI regenerates them and fails if they differ from the committed ones, so
// the schema and the app cannot drift apart.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphqls",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: "string" },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        // Stripe may add enum values; idgraph reads them as UNKNOWN, so the
        // union is closed, and switches on it stay exhaustive.
        futureProofEnums: false,
      },
    },
  },
};

export default config;
