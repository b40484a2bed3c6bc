import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed GraphQL operations, generated from the server's schema files.
// Run `npm run generate` (or `make generate`) after changing graph/*.graphqls
// or any graphql() call in src/.
const config: CodegenConfig = {
  schema: ['../graph/*.graphqls'],
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          Time: 'string',
          Cursor: 'string',
          ID: 'string',
        },
      },
    },
  },
};

export default config;
