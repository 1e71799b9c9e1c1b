import { execFileSync } from 'node:child_process';
import globalSetup from './global-setup';
import { compiledIfFresh, ROOT } from './processes';

/** What the drills start: the roles and the CLI they run (scripts/run-cli.js picks dist/ by the same rule). */
const ENTRIES = ['src/roles/api.ts', 'src/roles/worker.ts', 'src/roles/scheduler.ts', 'src/cli/tokens-reencrypt.ts'];

/**
 * Jest global setup of the reliability drills: builds the API first when dist/ is missing or
 * older than src/ (as `.ci/run` does before `npm test`), so every role a drill starts runs
 * compiled: one build (~20 s) instead of a ts-node start-up (5-8 s of CPU) for each of a dozen
 * processes, which would push the suite past its 3-minute budget on 2 cores.
 */
export default function reliabilitySetup(): void {
  globalSetup();
  if (ENTRIES.every((e) => compiledIfFresh(e))) return;
  process.stdout.write('\nreliability drills: building the API (dist/ is older than src/)\n');
  execFileSync('npm', ['run', 'build:api', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
