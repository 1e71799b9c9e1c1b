import { AppConfigStore } from '../../../core/config/app-config.store';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  type OnInit,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { AuthApi } from '../../../core/auth/auth.api';
import type { LoginPageState } from '../../../core/auth/auth.model';
import { CLOCK } from '../../../core/clock';
import { toUserMessage } from '../../../core/http/api-error';
import { errorMessageFor } from '../../../core/http/error-messages';
import { SettingsNav } from '../../../core/layout/settings-nav';
import { AccountCard } from '../components/account-card';
import { AlertsBanner } from '../components/alerts-banner';
import { ConnectLauncher } from '../components/connect-launcher';
import { type Flash, FlashStore } from '../data/flash.store';
import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { Account, AccountAlert, EntityId, LoginType } from '../data/social-accounts.model';

/** Codes after which starting the dialog again is the fix. */
const RETRYABLE = new Set([
  'PERMISSIONS_DECLINED',
  'NO_INSTAGRAM_ACCOUNT',
  'OAUTH_STATE_INVALID',
  'OAUTH_STATE_EXPIRED',
  'OAUTH_CODE_INVALID',
  'META_UNAVAILABLE',
  'META_RATE_LIMITED',
  'META_REQUEST_FAILED',
  'SELECTION_INVALID',
]);

@Component({
  selector: 'app-social-accounts-page',
  imports: [AccountCard, AlertsBanner, SettingsNav],
  templateUrl: './social-accounts-page.html',
  styleUrl: './social-accounts-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SocialAccountsPage implements OnInit {
  private readonly api = inject(ConnectedAccountsApi);
  private readonly auth = inject(AuthApi);
  private readonly launcher = inject(ConnectLauncher);
  private readonly flashStore = inject(FlashStore);
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  private readonly clock = inject(CLOCK);
  protected readonly instagramLogin = inject(AppConfigStore).instagramLogin;

  protected readonly user = this.auth.currentUser;
  protected readonly accounts = signal<Account[]>([]);
  protected readonly alerts = signal<AccountAlert[]>([]);
  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  protected readonly flash = signal<Flash | null>(null);
  protected readonly connecting = signal(false);
  protected readonly connectError = signal<string | null>(null);
  protected readonly now = signal(this.clock());
  protected readonly signingOut = signal(false);
  protected readonly signOutError = signal<string | null>(null);

  private readonly signOutDialog =
    viewChild.required<ElementRef<HTMLDialogElement>>('signOutDialog');
  private readonly signOutEverywhereButton =
    viewChild.required<ElementRef<HTMLButtonElement>>('signOutEverywhereButton');
  private readonly signOutCancelButton =
    viewChild.required<ElementRef<HTMLButtonElement>>('signOutCancelButton');
  private leaving = false;

  constructor() {
    // Keep "3 hours ago" and the life bars current on a page left open.
    const timer = setInterval(() => this.now.set(this.clock()), 60_000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  ngOnInit(): void {
    this.readOutcome();
    if (!this.user()) {
      this.auth.me().subscribe({ error: () => undefined });
    }
    void this.load();
  }

  async load(showSpinner = true): Promise<void> {
    if (showSpinner) this.loading.set(true);
    this.loadError.set(null);
    const alerts = firstValueFrom(this.api.unreadAlerts()).catch(() => null);
    try {
      this.accounts.set(await firstValueFrom(this.api.list()));
      this.now.set(this.clock());
    } catch (err) {
      this.loadError.set(toUserMessage(err));
    } finally {
      this.loading.set(false);
    }
    const a = await alerts;
    if (a) this.alerts.set(a);
  }

  /** Which dialog is opening (for its button's "Opening …" label). */
  protected readonly connectingWith = signal<LoginType>('facebook');

  async connect(loginType: LoginType = 'facebook'): Promise<void> {
    if (this.connecting()) return;
    this.connecting.set(true);
    this.connectingWith.set(loginType);
    this.connectError.set(null);
    try {
      await this.launcher.launch(undefined, loginType);
    } catch (err) {
      this.connectError.set(toUserMessage(err));
      this.connecting.set(false);
    }
  }

  onRemoved(account: Account, message: string): void {
    this.accounts.update((list) => list.filter((a) => a.id !== account.id));
    this.alerts.update((list) => list.filter((a) => a.account_id !== account.id));
    this.flash.set({ tone: 'success', text: message });
    // The default may have moved to another account.
    void this.load(false);
    queueMicrotask(() => document.getElementById('accounts-title')?.focus());
  }

  onChanged(): void {
    // an earlier "Connected …" message would contradict what the card now says
    if (this.flash()?.tone === 'success') this.flash.set(null);
    void this.load(false);
  }

  onAlertDismissed(id: EntityId): void {
    this.alerts.update((list) => list.filter((a) => a.id !== id));
  }

  dismissFlash(): void {
    this.flash.set(null);
  }

  canRetry(f: Flash): boolean {
    return f.code !== undefined && RETRYABLE.has(f.code);
  }

  signOut(): void {
    this.auth.logout();
    void this.router.navigateByUrl('/login');
  }

  // "Sign out everywhere" uses the same native <dialog> pattern as an account card's Disconnect.

  openSignOutEverywhere(): void {
    if (this.signingOut()) return;
    this.signOutError.set(null);
    const dialog = this.signOutDialog().nativeElement;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    // Start on the harmless choice.
    this.signOutCancelButton().nativeElement.focus();
  }

  closeSignOutEverywhere(): void {
    const dialog = this.signOutDialog().nativeElement;
    if (typeof dialog.close === 'function') {
      dialog.close();
    } else {
      // Without native <dialog> support no `close` event follows: hand focus back here.
      dialog.removeAttribute('open');
      this.onSignOutDialogClosed();
    }
  }

  /** Native `close` (Cancel or Escape): give focus back to the trigger. */
  onSignOutDialogClosed(): void {
    if (!this.leaving) this.signOutEverywhereButton().nativeElement.focus();
  }

  /** Escape while the request runs would hide the progress: keep the dialog open. */
  onSignOutDialogCancel(event: Event): void {
    if (this.signingOut()) event.preventDefault();
  }

  async confirmSignOutEverywhere(): Promise<void> {
    if (this.signingOut()) return;
    this.signingOut.set(true);
    this.signOutError.set(null);
    try {
      // AuthApi clears the stored token once the API has answered 204.
      await firstValueFrom(this.auth.logoutAll());
      this.leaving = true;
      this.closeSignOutEverywhere();
      const state: LoginPageState = { notice: 'Signed out on every device.' };
      await this.router.navigateByUrl('/login', { state });
    } catch (err) {
      this.signOutError.set(toUserMessage(err));
    } finally {
      this.signingOut.set(false);
    }
  }

  /** Reads ?connected=1 / ?error=CODE once, then cleans the address bar. */
  private readOutcome(): void {
    const params = this.route.snapshot.queryParamMap;
    const pending = this.flashStore.take();
    const code = params.get('error');
    if (params.has('connected')) {
      this.flash.set(
        pending?.tone === 'success'
          ? pending
          : { tone: 'success', text: 'Your Instagram account is connected.' },
      );
    } else if (code) {
      this.flash.set(
        pending?.code === code
          ? pending
          : { tone: code === 'OAUTH_DENIED' ? 'info' : 'error', text: errorMessageFor(code), code },
      );
    } else if (pending) {
      this.flash.set(pending);
    }
    if (params.has('connected') || params.has('error')) {
      void this.router.navigate([], { relativeTo: this.route, queryParams: {}, replaceUrl: true });
    }
  }
}
