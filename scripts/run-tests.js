#!/usr/bin/env node
/**
 * `npm test`: every suite, one summary. Jest (unit specs beside the code, e2e specs against the
 * real PostgreSQL, Redis, SMTP and Meta Graph sandbox), the Angular unit tests (Vitest) and the
 * browser tests in real Chromium. Each writes a JSON report under artifacts/; the last line is
 * `N passed, N failed` over all of them. A suite that crashes without a report counts as failed.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const artifacts = join(root, 'artifacts');
mkdirSync(artifacts, { recursive: true });

const only = process.argv.slice(2);
const suites = [
  {
    name: 'api (jest: unit + e2e)',
    report: 'jest.json',
    cmd: ['npx', ['jest', '--json', `--outputFile=${join(artifacts, 'jest.json')}`, '--maxWorkers=2', '--forceExit']],
  },
  {
    name: 'client (vitest)',
    report: 'client-unit.json',
    cmd: ['npm', ['run', 'test:ci', '-w', 'client', '--silent']],
  },
  {
    name: 'browser (chromium)',
    report: 'browser.json',
    cmd: ['node', ['test/browser/run.js']],
    optional: !existsSync(join(root, 'test', 'browser', 'run.js')),
  },
].filter((s) => !s.optional && (!only.length || only.some((o) => s.name.startsWith(o))));

let passed = 0;
let failed = 0;
const rows = [];
for (const suite of suites) {
  const reportPath = join(artifacts, suite.report);
  rmSync(reportPath, { force: true });
  console.log(`\n=== ${suite.name} ===`);
  const started = Date.now();
  const r = spawnSync(suite.cmd[0], suite.cmd[1], { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  let p = 0;
  let f = 0;
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    p = report.numPassedTests ?? 0;
    f = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  }
  if (r.status !== 0 && f === 0) f = 1; // crashed, or failed outside any test: never green
  rows.push({ suite: suite.name, passed: p, failed: f, seconds: Math.round((Date.now() - started) / 1000) });
  passed += p;
  failed += f;
}
console.log('');
console.table(rows);
const summary = `${passed} passed, ${failed} failed`;
require('node:fs').writeFileSync(join(artifacts, 'summary.txt'), `${summary}\n`);
console.log(summary);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
