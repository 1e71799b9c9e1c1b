/** Browser tier: real Chromium (playwright-core) against the api role, the sandbox and the built client. */
const { join } = require('node:path');

module.exports = {
  rootDir: join(__dirname, '..', '..'),
  displayName: 'browser',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  testTimeout: 120000,
};
