// Lint for the whole repository: Grafana's shared rules (React, hooks, jsdoc,
// prettier-compatible) plus typescript-eslint's recommended checks.
import grafanaConfig from '@grafana/eslint-config/flat.js';
import tseslint from 'typescript-eslint';

/**
 * The layering of docs/architecture.md as lint errors: arrows point down only.
 * Each block forbids, for one folder, the folders and packages it must not
 * import: a list of glob groups (relative imports are matched by the folder
 * names they pass through), or a regular expression for "all but these".
 */
const layer = (files, forbidden, why) => ({
  name: `iotlab/layering ${files}`,
  files: [files],
  // Tests may reach test fixtures and Node's file system; the rule is about product code.
  ignores: ['**/*.test.ts', '**/*.test.tsx'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((rule) =>
          typeof rule === 'string' ? { regex: rule, message: why } : { group: rule, message: why }
        ),
      },
    ],
  },
});
const BACKEND_ONLY = [
  '**/backend/**',
  '**/detectors/**',
  '@aws-sdk/*',
  '@grpc/*',
  '@platformatic/*',
  'piscina',
  'node:*',
];
const NO_IO = [
  'node:fs',
  'node:fs/*',
  'node:net',
  'node:http',
  'node:child_process',
  '@aws-sdk/*',
  '@platformatic/*',
  '@grpc/*',
];

const layering = [
  layer(
    'src/common/**',
    // Anything but a sibling in src/common/ or the constraints table.
    ['^(?!\\./|\\.\\./detectors/constraints$)'],
    'src/common/ is the browser + Node contract: it imports only src/common/ (and the pure constraints table of src/detectors/).'
  ),
  layer(
    'src/detectors/**',
    ['^(?!\\./)'],
    'src/detectors/ is pure ML: it imports nothing outside itself (the query layer passes every parameter).'
  ),
  layer(
    'src/backend/runtime/**',
    [['**/sources/**', '**/scoring/**', '**/handlers/**', '**/detectors/**', '**/common/**', '**/worker/**']],
    'The gRPC runtime knows nothing of data sources, scoring or detectors: it imports only backend/async/.'
  ),
  layer(
    'src/backend/async/**',
    [['../*', '!../async']],
    'backend/async/ holds generic helpers with no domain: it imports nothing of the project.'
  ),
  layer(
    'src/backend/sources/**',
    [['**/runtime', '**/runtime/**', '**/scoring/**', '**/handlers/**', '**/worker/**', '**/detectors/**']],
    'Sources do I/O only: they return series and read stats, and know nothing of Grafana or models.'
  ),
  layer(
    'src/backend/scoring/**',
    [['**/runtime', '**/runtime/**', '**/handlers/**', '**/worker/**'], NO_IO],
    'The scoring core does no I/O and knows no Grafana (the pool is the one place that starts threads).'
  ),
  layer(
    'src/backend/live/**',
    [['**/runtime', '**/runtime/**', '**/handlers/**', '**/worker/**']],
    'backend/live/ scores readings as they arrive for Live streams and the worker alike: no Grafana, no worker.'
  ),
  layer('src/backend/handlers/**', [['**/worker/**']], 'The Grafana adapter does not reach into the Kafka worker.'),
  layer(
    'src/backend/worker/**',
    [['**/runtime', '**/runtime/**', '**/handlers/**']],
    'The Kafka worker never imports the Grafana adapter or the plugin runtime.'
  ),
  ...['src/datasource/**', 'src/panel/**', 'src/app/**'].map((files) =>
    layer(
      files,
      [BACKEND_ONLY],
      'Frontend code runs in the browser: it imports src/common/ and @grafana/*, never backend code.'
    )
  ),
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '.cache/**',
      'tests/conformance/**',
      '**/.venv*/**',
      '**/venv/**',
      '**/.data/**',
      '**/.stack/**',
      '**/__output__/**',
    ],
  },
  ...grafanaConfig,
  // Grafana's config already registers the @typescript-eslint plugin and parser (a newer
  // copy than typescript-eslint's own); reuse it and take only the recommended rules.
  ...tseslint.configs.recommended.map(({ plugins: _plugins, languageOptions: _languageOptions, ...config }) => config),
  {
    name: 'iotlab/overrides',
    settings: { react: { version: 'detect' } },
    rules: {
      // Unused names are a type error under our strict tsconfig; `_`-prefixed ones are deliberate.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // The house rule allows `any` only with a comment saying why; the comment is the review point.
      '@typescript-eslint/no-explicit-any': 'warn',
      // The automatic JSX runtime needs no React import.
      'react/react-in-jsx-scope': 'off',
      'react/prop-types': 'off',
    },
  },
  {
    name: 'iotlab/commonjs',
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layering
);
