// Unit tests sit beside the code. Two projects: browser code (editors, panel)
// runs in jsdom; backend, detectors and tools run in plain Node.
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } },
];

// Packages (path prefixes under node_modules) that ship only ES modules.
const BROWSER_ESM_PACKAGES = [
  '@codemirror',
  '@grafana/aws-sdk',
  '@grafana/i18n',
  '@grafana/plugin-compat',
  '@grafana/plugin-ui',
  '@grafana/react-data-grid',
  '@grafana/schema',
  '@leeoniya',
  '@lezer',
  '@marcbachmann',
  '@marijn',
  '@react-hookz',
  '@sindresorhus',
  '@tanstack',
  '@uiw',
  '@ver0',
  '@wojtekmaj',
  '@zarrita',
  'codemirror',
  'compute-scroll-into-view',
  'crelt',
  'd3',
  'd3-[a-z-]+',
  'date-fns',
  'delaunator',
  'earcut',
  'geotiff',
  'get-user-locale',
  'html-entities',
  'internmap',
  'marked',
  'marked-mangle',
  'memoize',
  'mimic-function',
  'ol',
  'pbf',
  'quick-lru',
  'quickselect',
  'rbush',
  'react-calendar',
  'react-colorful',
  'react-loading-skeleton',
  'robust-predicates',
  'rxjs',
  'sql-formatter',
  'style-mod',
  'uuid',
  'uwrap',
  'w3c-keyname',
  'web-vitals',
  'yaml',
];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform: { '^.+\\.(t|j)sx?$': swc },
      // @platformatic/kafka (and its helpers) ship only ES modules.
      transformIgnorePatterns: ['node_modules/(?!(@platformatic)/)'],
      testMatch: [
        '<rootDir>/src/backend/**/*.test.ts',
        '<rootDir>/src/detectors/**/*.test.ts',
        '<rootDir>/src/common/**/*.test.ts',
        '<rootDir>/tools/**/*.test.ts',
      ],
    },
    {
      displayName: 'browser',
      testEnvironment: 'jsdom',
      transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.mjs$': swc },
      testMatch: ['<rootDir>/src/datasource/**/*.test.{ts,tsx}', '<rootDir>/src/panel/**/*.test.{ts,tsx}'],
      setupFilesAfterEnv: ['<rootDir>/.config/jest-setup.js'],
      moduleNameMapper: {
        '\\.(css|scss|sass)$': 'identity-obj-proxy',
        '^react-inlinesvg$': '<rootDir>/.config/jest/mocks/react-inlinesvg.tsx',
      },
      // ESM-only packages pulled in by @grafana/ui and @grafana/plugin-ui must be transformed too.
      transformIgnorePatterns: [`node_modules/(?!(${BROWSER_ESM_PACKAGES.join('|')})/)`],
    },
  ],
};
