import { Injectable, signal } from '@angular/core';

export type FlashTone = 'success' | 'info' | 'error';

export interface Flash {
  tone: FlashTone;
  text: string;
  /** The error code, when the flash reports a failed connection. */
  code?: string;
  /** Permissions the user declined in the dialog, to name them. */
  declined?: string[];
}

/** Hands a detailed message from the callback page to the settings page (same tab, in memory). */
@Injectable({ providedIn: 'root' })
export class FlashStore {
  private readonly pending = signal<Flash | null>(null);

  set(flash: Flash): void {
    this.pending.set(flash);
  }

  take(): Flash | null {
    const f = this.pending();
    this.pending.set(null);
    return f;
  }
}
