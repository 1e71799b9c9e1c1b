// Jest reads `testTimeout` only from the top-level config, never from a project: the use-case and
// e2e tiers set theirs here (real PostgreSQL, Redis and processes can take seconds under load).
jest.setTimeout(60_000);
