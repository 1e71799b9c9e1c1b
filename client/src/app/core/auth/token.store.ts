import { Injectable, inject, signal } from '@angular/core';

import { CLOCK } from '../clock';

export const SESSION_STORAGE_KEY = 'autoreels.session';

interface StoredSession {
  token: string;
  /** Epoch milliseconds, or null when the server gave no lifetime. */
  expiresAt: number | null;
}

/** The access token, kept in localStorage so a reload keeps the user signed in. */
@Injectable({ providedIn: 'root' })
export class TokenStore {
  private readonly now = inject(CLOCK);
  private readonly session = signal<StoredSession | null>(readSession());

  /** The token if present and not expired. */
  token(): string | null {
    const s = this.session();
    if (!s) return null;
    if (s.expiresAt !== null && s.expiresAt <= this.now().getTime()) return null;
    return s.token;
  }

  isAuthenticated(): boolean {
    return this.token() !== null;
  }

  save(token: string, expiresInSeconds?: number | null): void {
    const expiresAt =
      typeof expiresInSeconds === 'number' && expiresInSeconds > 0
        ? this.now().getTime() + expiresInSeconds * 1000
        : null;
    const s: StoredSession = { token, expiresAt };
    this.session.set(s);
    try {
      localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(s));
    } catch {
      // Private mode or full storage: the session still lives in memory.
    }
  }

  clear(): void {
    this.session.set(null);
    try {
      localStorage.removeItem(SESSION_STORAGE_KEY);
    } catch {
      /* nothing stored */
    }
  }
}

function readSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(SESSION_STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof parsed.token !== 'string' || parsed.token === '') return null;
    return {
      token: parsed.token,
      expiresAt: typeof parsed.expiresAt === 'number' ? parsed.expiresAt : null,
    };
  } catch {
    return null;
  }
}
