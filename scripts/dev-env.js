/**
 * Development defaults for the commands a developer runs on a laptop: `npm start` requires it,
 * and the package.json scripts (sandbox, CLIs, migrations) preload it with `-r`; loading it applies it.
 * The built roles never load it: on their own they are ENVIRONMENT=production and need real settings.
 *
 * - loads `.env` (its values and the shell's win over everything here);
 * - ENVIRONMENT=development when unset;
 * - outside production, when SECRET_KEY is unset: a random one generated once and kept in
 *   `.data/dev-secret` (git-ignored, mode 600), so sessions and tokens encrypted with the
 *   development key ring survive restarts.
 */
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function devSecret(file) {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if (err.code === 'EEXIST') return readFileSync(file, 'utf8').trim(); // another command won the race
    throw err;
  }
  process.stderr.write(`› generated a development SECRET_KEY in ${file} (kept across restarts; git-ignored)\n`);
  return secret;
}

/** Applies the development defaults to `env` (default process.env); returns it. */
function applyDevEnv(env = process.env, dir = root) {
  require('dotenv').config({ path: join(dir, '.env'), quiet: true, processEnv: env });
  if (!env.ENVIRONMENT) env.ENVIRONMENT = 'development';
  if (env.ENVIRONMENT !== 'production' && !env.SECRET_KEY) env.SECRET_KEY = devSecret(join(dir, '.data', 'dev-secret'));
  return env;
}

module.exports = { applyDevEnv };

// Loading it applies it to this process (`node -r ./scripts/dev-env.js …`, `ts-node -r …`, require()).
applyDevEnv();
