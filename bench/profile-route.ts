/**
 * Profiling aid (not part of `npm run bench`): loads one route of a built api process started
 * with --cpu-prof for BENCH_SECONDS, then stops it so the profile is written to BENCH_PROF_DIR.
 * `npx ts-node --transpile-only bench/profile-route.ts /auth/me` (then open the .cpuprofile in
 * Chrome DevTools).
 */
import { SAM_ID } from '../test/helpers/sandbox';
import { sparePort } from '../test/helpers/processes';
import { callback, dialog, newUser, startStack } from '../test/helpers/stack';
import { closedLoop, spawnApi } from './api';

async function main(route: string): Promise<void> {
  const stack = await startStack({ LOG_LEVEL: 'warn' });
  const { auth } = await newUser(stack);
  await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
  const port = await sparePort();
  const { LOG_LEVEL: _quiet, ...env } = stack.api.env;
  const dir = process.env.BENCH_PROF_DIR ?? 'artifacts/profiles';
  process.env.BENCH_API_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${dir}`;
  const api = await spawnApi({ ...env, THROTTLE_LIMIT: '100000000' }, port);
  await closedLoop(`http://127.0.0.1:${port}${route}`, auth, 3);
  const r = await closedLoop(`http://127.0.0.1:${port}${route}`, auth, Number(process.env.BENCH_SECONDS ?? 10));
  console.log(`${route}: ${r.requests.average.toFixed(0)} req/s, ${r.non2xx} non-2xx; profile in ${dir}`);
  await new Promise((res) => {
    api.once('exit', res);
    api.kill('SIGTERM');
  });
  await stack.close();
  process.exit(0);
}

void main(process.argv[2] ?? '/auth/me');
