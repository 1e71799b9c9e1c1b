import { ChangeDetectionStrategy, Component, type OnInit, inject, signal } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { CLOCK } from '../../../core/clock';
import { ApiError, errorCodeOf } from '../../../core/http/api-error';
import { errorMessageFor } from '../../../core/http/error-messages';
import { AccountPicker } from '../components/account-picker';
import { FlashStore } from '../data/flash.store';
import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { ConnectedResult, NeedsSelectionResult } from '../data/social-accounts.model';

export const SETTINGS_URL = '/settings/social-accounts';
export const PENDING_SELECTION_KEY = 'autoreels.pendingSelection';

/** Query keys Facebook (or the sandbox) sends back to the redirect URI. */
const CALLBACK_KEYS = [
  'code',
  'state',
  'error',
  'error_reason',
  'error_description',
  'error_code',
  'error_message',
];

/**
 * Where the Facebook dialog lands. Hands the query to the API (which knows the state) and
 * either goes back to the settings page or shows the account picker.
 */
@Component({
  selector: 'app-callback-page',
  imports: [AccountPicker],
  templateUrl: './callback-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CallbackPage implements OnInit {
  private readonly api = inject(ConnectedAccountsApi);
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  private readonly flash = inject(FlashStore);
  private readonly now = inject(CLOCK);

  protected readonly selection = signal<NeedsSelectionResult | null>(null);

  ngOnInit(): void {
    void this.handle();
  }

  private async handle(): Promise<void> {
    const params = this.route.snapshot.queryParamMap;
    const query: Record<string, string> = {};
    for (const key of params.keys) {
      const value = params.get(key);
      if (value !== null) query[key] = value;
    }
    if (!CALLBACK_KEYS.some((k) => k in query)) {
      // A reload after the URL was cleaned: the picker may still be open.
      const pending = this.readPending();
      if (pending) this.selection.set(pending);
      else await this.router.navigateByUrl(SETTINGS_URL, { replaceUrl: true });
      return;
    }
    try {
      // the Instagram dialog returns to …/callback/instagram (route data), Facebook's to …/callback
      const loginType =
        this.route.snapshot.data['loginType'] === 'instagram' ? 'instagram' : 'facebook';
      const result = await firstValueFrom(this.api.completeCallback(query, loginType));
      if (result.status === 'connected') {
        await this.finishConnected(result);
      } else {
        this.storePending(result);
        this.selection.set(result);
        // The code is single-use: don't keep it in the address bar or history.
        await this.router.navigate([], {
          relativeTo: this.route,
          queryParams: {},
          replaceUrl: true,
        });
      }
    } catch (err) {
      const code = errorCodeOf(err);
      // An ended session is handled by errorInterceptor (to /login and back here).
      if (code === 'AUTH_TOKEN_INVALID' || code === 'AUTH_REQUIRED') return;
      await this.finishWithError(code, err instanceof ApiError ? err.declined : []);
    }
  }

  async onConnected(result: ConnectedResult): Promise<void> {
    await this.finishConnected(result);
  }

  async onCancelled(): Promise<void> {
    this.clearPending();
    this.flash.set({ tone: 'info', text: 'No accounts were connected.' });
    await this.router.navigateByUrl(SETTINGS_URL, { replaceUrl: true });
  }

  async onRestart(code: string): Promise<void> {
    await this.finishWithError(code, []);
  }

  private async finishConnected(result: ConnectedResult): Promise<void> {
    this.clearPending();
    const names = (result.accounts ?? []).map((a) => `@${a.instagram_username}`);
    const text =
      names.length > 0 ? `Connected ${names.join(', ')}.` : result.message || 'Connected.';
    this.flash.set({ tone: 'success', text });
    await this.router.navigate([SETTINGS_URL], { queryParams: { connected: 1 }, replaceUrl: true });
  }

  private async finishWithError(code: string, declined: string[]): Promise<void> {
    this.clearPending();
    this.flash.set({
      tone: code === 'OAUTH_DENIED' ? 'info' : 'error',
      text: errorMessageFor(code, declined),
      code,
      declined,
    });
    await this.router.navigate([SETTINGS_URL], { queryParams: { error: code }, replaceUrl: true });
  }

  private storePending(result: NeedsSelectionResult): void {
    try {
      sessionStorage.setItem(PENDING_SELECTION_KEY, JSON.stringify(result));
    } catch {
      /* the picker still works until a reload */
    }
  }

  private readPending(): NeedsSelectionResult | null {
    try {
      const raw = sessionStorage.getItem(PENDING_SELECTION_KEY);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as NeedsSelectionResult;
      const expires = Date.parse(parsed.expires_at);
      if (parsed.status !== 'needs_selection' || !(expires > this.now().getTime())) {
        this.clearPending();
        return null;
      }
      return parsed;
    } catch {
      return null;
    }
  }

  private clearPending(): void {
    try {
      sessionStorage.removeItem(PENDING_SELECTION_KEY);
    } catch {
      /* nothing stored */
    }
  }
}
