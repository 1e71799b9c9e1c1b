/**
 * Four tiers: unit specs beside the code (pure logic), use-case specs (the use cases against the
 * real PostgreSQL with the Graph port scripted), e2e specs against real PostgreSQL, Redis and the
 * sandbox, and the reliability drills (real processes killed and restarted, against a PostgreSQL
 * and a Redis of their own: `npm run test:reliability`).
 */
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'use-case',
      testMatch: ['<rootDir>/test/use-cases/**/*.use-case-spec.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/timeout-60s.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/timeout-60s.ts'],
    },
    {
      ...common,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.reliability-spec.ts'],
      globalSetup: '<rootDir>/test/helpers/reliability-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/timeout-180s.ts'],
    },
  ],
};
