// Fault tests: the scoring worker and the Kafka readers against a real broker
// (Apache Kafka 4.1, started per test file) and the S3 server (moto, started
// once by globalSetup): a broker restart, a killed worker, two workers
// sharing the partitions. Part of `npm test` (tools/test.sh).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' } } }];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'faults',
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  // @platformatic/kafka (and its helpers) ship only ES modules.
  transformIgnorePatterns: ['node_modules/(?!(@platformatic)/)'],
  testMatch: ['<rootDir>/tests/faults/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/faults/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/faults/globalTeardown.ts',
  testTimeout: 180_000,
  // One broker at a time: the machine has two cores.
  maxWorkers: 1,
  // The Kafka client can keep a socket to a restarted broker open for a while after close(): end the
  // run when the tests are done instead of waiting for it (seen once in three runs).
  forceExit: true,
};
