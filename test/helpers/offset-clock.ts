import { Clock } from '../../src/common/clock';

/** The app's clock for tests that move time: real time plus an offset advanced together with the sandbox's clock. */
export class OffsetClock extends Clock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
