import { InjectionToken } from '@angular/core';

/** How often the screen asks for the status of reels still in the pipeline. */
export const REELS_POLL_MS = new InjectionToken<number>('REELS_POLL_MS', {
  providedIn: 'root',
  factory: () => 3000,
});

/** A fresh Idempotency-Key; injectable so a spec can tell which one was sent. */
export const NEW_IDEMPOTENCY_KEY = new InjectionToken<() => string>('NEW_IDEMPOTENCY_KEY', {
  providedIn: 'root',
  factory: () => randomUuid,
});

function randomUuid(): string {
  // randomUUID only exists in secure contexts (https or localhost); getRandomValues everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
