/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Both cores: Jest's default leaves one idle on a two-core machine.
  maxWorkers: 2,
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // The examples import the package by name, as an app that installed it does.
  moduleNameMapper: { '^secret-wiring$': '<rootDir>/lib/index.ts' },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  // The repository example is synthesized once and read by the files that only read it.
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
