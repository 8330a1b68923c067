// Integration tests against real emulators: AWS's DynamoDB Local and moto's
// S3 server, started on free loopback ports by globalSetup and stopped by
// globalTeardown (and by their guard if jest dies). `npm run test:integration`.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' } } }];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'integration',
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
  // @platformatic/kafka (and its helpers) ship only ES modules.
  transformIgnorePatterns: ['node_modules/(?!(@platformatic)/)'],
  globalSetup: '<rootDir>/tests/integration/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/integration/globalTeardown.ts',
  // Fixtures of 100,000 items take a while to write on a busy 2-core machine.
  testTimeout: 240_000,
  maxWorkers: 2,
};
