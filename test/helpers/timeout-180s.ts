// The reliability drills kill and restart real processes (see timeout-60s.ts for why a setup file).
jest.setTimeout(180_000);
