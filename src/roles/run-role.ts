import type { INestApplicationContext } from '@nestjs/common';

/**
 * Starts a role and turns a boot failure (most often invalid configuration) into one clear line
 * on stderr and exit code 1, instead of a stack trace.
 */
export async function runRole(name: string, start: () => Promise<INestApplicationContext>): Promise<void> {
  try {
    await start();
    process.stdout.write(`${JSON.stringify({ level: 30, msg: `${name} role started`, pid: process.pid })}\n`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`[${name}] failed to start: ${message}\n`);
    process.exit(1);
  }
}
