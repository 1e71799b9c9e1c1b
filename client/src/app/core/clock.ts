import { InjectionToken } from '@angular/core';

/** The current time, injectable so views and tests agree on "now". */
export const CLOCK = new InjectionToken<() => Date>('CLOCK', {
  providedIn: 'root',
  factory: () => () => new Date(),
});
