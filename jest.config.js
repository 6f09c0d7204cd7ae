/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Both cores: Jest's default leaves one idle on a two-core machine.
  maxWorkers: 2,
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  // The repository example is synthesized once and read by the files that only read it.
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
