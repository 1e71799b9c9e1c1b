#!/usr/bin/env node
/**
 * Browser tests (issue 6): `node test/browser/run.js`. Makes sure the Angular build exists, that
 * Chromium is there (never skips silently: a missing browser is a failure), then runs Jest on
 * test/browser/**\/*.browser-spec.ts and writes artifacts/browser.json (Jest's --json report).
 * Extra arguments go to Jest (e.g. `-t "scenario 5"`). Exit code is non-zero on any failure.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const artifacts = join(root, 'artifacts');
const report = join(artifacts, 'browser.json');
mkdirSync(join(artifacts, 'screenshots'), { recursive: true });

function fail(message) {
  console.error(`[browser] ${message}`);
  writeFileSync(
    report,
    JSON.stringify(
      { success: false, numPassedTests: 0, numFailedTests: 1, numTotalTests: 1, numRuntimeErrorTestSuites: 0, error: message },
      null,
      2,
    ),
  );
  process.exit(1);
}

const chrome = process.env.CHROME_BIN || '/usr/bin/chromium';
if (!existsSync(chrome)) {
  fail(`Chromium not found at ${chrome}. Install Debian's (apt-get install -y chromium) or set CHROME_BIN.`);
}

const index = join(root, 'client', 'dist', 'client', 'browser', 'index.html');
if (!existsSync(index)) {
  console.log('[browser] no client build: npm run build:client');
  const b = spawnSync('npm', ['run', 'build:client'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0 || !existsSync(index)) fail('npm run build:client failed');
}

const started = Date.now();
const r = spawnSync(
  'npx',
  [
    'jest',
    '--config',
    join('test', 'browser', 'jest.browser.config.js'),
    '--runInBand',
    '--forceExit',
    '--json',
    `--outputFile=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CHROME_BIN: chrome } },
);
console.log(`[browser] finished in ${Math.round((Date.now() - started) / 1000)}s, screenshots in artifacts/screenshots/`);
if (!existsSync(report)) fail(`jest exited ${r.status} without a report`);
process.exit(r.status === 0 ? 0 : 1);
