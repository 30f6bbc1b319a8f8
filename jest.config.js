/**
 * One jest run for every workspace. Unit specs (`*.test.ts`) sit beside the code; integration
 * specs are named `*.itest.ts` and talk to the real NATS and PostgreSQL the global setup provides
 * (see libs/testkit/src/infra/infra.ts for where they come from).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/proto', '<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools', '<rootDir>/bench', '<rootDir>/deploy-tests', '<rootDir>/system-tests', '<rootDir>/web'],
  testMatch: ['**/src/**/*.test.ts', '**/src/**/*.itest.ts', '<rootDir>/deploy-tests/**/*.test.ts', '<rootDir>/system-tests/**/*.itest.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // The generated Prisma clients import `./x.js` for their `.ts` sources.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // ignoreDynamic keeps `import()` as is: an ES-module-only package (jose) is loaded that way.
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs', ignoreDynamic: true } }] },
  globalSetup: '<rootDir>/libs/testkit/dist/infra/global-setup.js',
  globalTeardown: '<rootDir>/libs/testkit/dist/infra/global-teardown.js',
  testTimeout: 60_000,
  maxWorkers: 2,
};
