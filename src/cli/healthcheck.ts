import { heartbeatFresh, heartbeatMtime } from '../common/health/heartbeat';

/**
 * Container healthcheck of the worker and the scheduler (they have no HTTP API):
 * `node dist/src/cli/healthcheck.js [file]` exits 0 when the role's heartbeat file (HEARTBEAT_FILE)
 * was written within the last 35 s, 1 otherwise. Reads no other configuration.
 */
const file = process.argv[2] ?? process.env.HEARTBEAT_FILE;
if (!file) {
  process.stderr.write('usage: node dist/src/cli/healthcheck.js <heartbeat file> (or set HEARTBEAT_FILE)\n');
  process.exit(2);
}
const mtime = heartbeatMtime(file);
const ok = heartbeatFresh(mtime, Date.now());
process.stdout.write(ok ? 'healthy\n' : mtime === null ? `no heartbeat at ${file}\n` : `stale heartbeat at ${file}\n`);
process.exit(ok ? 0 : 1);
