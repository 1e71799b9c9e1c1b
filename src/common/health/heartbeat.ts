import { rmSync, statSync, writeFileSync } from 'node:fs';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { redisState } from '../redis/redis-state';

/** How often a role touches its heartbeat file, and how old it may get before the role counts as unhealthy. */
export const HEARTBEAT_EVERY_MS = 10_000;
export const HEARTBEAT_MAX_AGE_MS = 35_000;

/** Pure rule of the healthcheck: a heartbeat written at `mtimeMs` is fresh at `nowMs`. */
export function heartbeatFresh(mtimeMs: number | null, nowMs: number, maxAgeMs = HEARTBEAT_MAX_AGE_MS): boolean {
  return mtimeMs !== null && nowMs - mtimeMs <= maxAgeMs;
}

/** The mtime of a heartbeat file, null when there is none. */
export function heartbeatMtime(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Worker and scheduler have no HTTP API: with HEARTBEAT_FILE set they touch that file every
 * 10 s while their event loop turns and Redis answers (their work needs it), so a container
 * healthcheck can tell a live role from a stuck or cut-off one. Removed on shutdown.
 */
@Injectable()
export class Heartbeat implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Heartbeat.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    const file = this.config.heartbeatFile;
    if (!file) return;
    const beat = () => {
      if (redisState.current !== 'up') return;
      try {
        writeFileSync(file, `${new Date().toISOString()}\n`);
      } catch (err) {
        this.logger.warn({ file, err: err instanceof Error ? err.message : String(err) }, 'cannot write the heartbeat file');
      }
    };
    beat();
    this.timer = setInterval(beat, HEARTBEAT_EVERY_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    if (this.config.heartbeatFile) rmSync(this.config.heartbeatFile, { force: true });
  }
}
