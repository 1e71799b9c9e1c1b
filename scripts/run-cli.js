#!/usr/bin/env node
/**
 * `npm run tokens:sweep|tokens:reencrypt|users:make-admin|migrate -- …`: runs an ops command.
 * The compiled file (dist/src/cli/<name>.js, plain node) whenever it exists and is not older than
 * the sources — always so in the runtime image, which has no src/ and no ts-node; on a laptop with
 * changed or unbuilt sources, the TypeScript file through ts-node (transpile only), so no build is
 * needed to try a change. Development defaults (scripts/dev-env.js) apply either way; in the image
 * ENVIRONMENT=production is already set, and they leave it alone.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z-]+$/.test(name)) {
  process.stderr.write('usage: node scripts/run-cli.js <tokens-sweep|tokens-reencrypt|make-admin|migrate> [args…]\n');
  process.exit(2);
}

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const compiled = join(root, 'dist', 'src', 'cli', `${name}.js`);
const source = join(root, 'src', 'cli', `${name}.ts`);
const hasSource = existsSync(source);
const useCompiled = existsSync(compiled) && (!hasSource || newest(join(root, 'src')) <= statSync(compiled).mtimeMs);
if (!useCompiled && !hasSource) {
  process.stderr.write(`no such command: ${name} (looked for ${compiled})\n`);
  process.exit(2);
}
const nodeArgs = ['-r', join(__dirname, 'dev-env.js')];
const argv = useCompiled
  ? [...nodeArgs, compiled, ...args]
  : [...nodeArgs, '-r', 'ts-node/register/transpile-only', source, ...args];
const r = spawnSync(process.execPath, argv, { cwd: process.cwd(), stdio: 'inherit', env: process.env });
process.exit(r.status ?? 1);
