#!/usr/bin/env node
/**
 * `npm start`: everything on one laptop in one command. Builds what is missing or stale, runs
 * pending migrations (creating the development database if needed), then starts every role
 * (api, worker, scheduler, client) and — whenever FACEBOOK_APP_ID is not set — the Meta Graph
 * sandbox, so the whole connect flow works offline. Ctrl-C stops them all gracefully.
 * It runs as ENVIRONMENT=development unless told otherwise, with a SECRET_KEY generated once into
 * .data/dev-secret (scripts/dev-env.js). In production run each role on its own
 * (npm run start:api|start:worker|start:scheduler): they default to ENVIRONMENT=production.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

require('./dev-env'); // ENVIRONMENT=development and a kept SECRET_KEY unless set
// readable log lines on a laptop (pino-pretty); LOG_FORMAT=json in .env or the shell keeps JSON
if (!process.env.LOG_FORMAT && process.env.ENVIRONMENT !== 'production') process.env.LOG_FORMAT = 'pretty';
const root = join(__dirname, '..');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const apiEntry = join(root, 'dist', 'src', 'roles', 'api.js');
if (
  !existsSync(apiEntry) ||
  newest(join(root, 'src')) > statSync(apiEntry).mtimeMs ||
  newest(join(root, 'migrations')) > statSync(apiEntry).mtimeMs
) {
  console.log('› building the API (nest build)…');
  run('npm', ['run', 'build:api', '--silent']);
}
const clientIndex = join(root, 'client', 'dist', 'client', 'browser', 'index.html');
if (!existsSync(clientIndex) || newest(join(root, 'client', 'src')) > statSync(clientIndex).mtimeMs) {
  console.log('› building the Angular client (ng build)…');
  run('npm', ['run', 'build:client', '--silent']);
}

console.log('› running migrations…');
run('node', ['dist/src/cli/migrate.js']);

// the sandbox stands in for Meta when either app (Facebook Login, Instagram Login) is unset
const sandboxMode = !process.env.FACEBOOK_APP_ID || !process.env.INSTAGRAM_APP_ID;
const roles = [
  { name: 'api', command: 'node dist/src/roles/api.js', prefixColor: 'blue' },
  { name: 'worker', command: 'node dist/src/roles/worker.js', prefixColor: 'magenta' },
  { name: 'scheduler', command: 'node dist/src/roles/scheduler.js', prefixColor: 'yellow' },
  { name: 'client', command: 'node dist/src/roles/client.js', prefixColor: 'green' },
];
if (sandboxMode)
  // the sandbox is its own test app: it never gets a real app secret
  roles.push({
    name: 'sandbox',
    command: 'node dist/src/sandbox/main.js',
    prefixColor: 'cyan',
    env: { FACEBOOK_APP_SECRET: '' },
  });

const frontend = process.env.FRONTEND_URL || 'http://localhost:3002';
const api = process.env.PUBLIC_API_URL || `http://localhost:${process.env.PORT || 8000}`;
const line = '─'.repeat(72);
console.log(`\n${line}`);
console.log(` ENVIRONMENT=${process.env.ENVIRONMENT}`);
if (sandboxMode) {
  console.log(' SANDBOX MODE — FACEBOOK_APP_ID or INSTAGRAM_APP_ID is not set, so a local Meta Graph sandbox');
  console.log(` stands in for Facebook on http://localhost:${process.env.SANDBOX_PORT || 8090}. Its test users`);
  console.log(' (Alex Rivera, Sam Lee) and their Pages are listed on its consent page.');
}
console.log(` Settings page: ${frontend}/settings/social-accounts`);
console.log(` API and docs:  ${api}/docs`);
console.log(`${line}\n`);

const { concurrently } = require('concurrently');
const { result } = concurrently(roles, {
  prefix: 'name',
  killOthersOn: ['failure'],
  restartTries: 0,
  cwd: root,
});
result.then(
  () => process.exit(0),
  () => process.exit(1),
);
