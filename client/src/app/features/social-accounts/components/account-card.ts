import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  computed,
  inject,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { toUserMessage } from '../../../core/http/api-error';
import { expiryText, formatDate, relativeTime, statusBadge, tokenLifeLeft } from './account-view';
import { ConnectLauncher } from './connect-launcher';
import { EventHistory } from './event-history';
import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { Account } from '../data/social-accounts.model';

type Busy = 'refresh' | 'renew' | 'default' | 'disconnect' | null;

/** One connected Instagram account with its health and actions. */
@Component({
  selector: 'app-account-card',
  imports: [EventHistory, RouterLink],
  templateUrl: './account-card.html',
  styleUrl: './account-card.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AccountCard {
  private readonly api = inject(ConnectedAccountsApi);
  private readonly launcher = inject(ConnectLauncher);

  readonly account = input.required<Account>();
  readonly now = input.required<Date>();
  /** The account changed on the server (refresh, default): the page reloads the list. */
  readonly changed = output<void>();
  /** The account is gone; carries the server's message. */
  readonly removed = output<string>();

  protected readonly busy = signal<Busy>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly dialogError = signal<string | null>(null);
  protected readonly refreshResult = signal<{ text: string; extended: boolean } | null>(null);
  protected readonly historyOpen = signal(false);
  private gone = false;

  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('confirmDialog');
  private readonly disconnectButton =
    viewChild.required<ElementRef<HTMLButtonElement>>('disconnectButton');
  private readonly cancelButton = viewChild.required<ElementRef<HTMLButtonElement>>('cancelButton');

  protected readonly idBase = computed(
    () => `acct-${String(this.account().id).replace(/\W/g, '')}`,
  );
  protected readonly username = computed(() => this.account().instagram_username);
  protected readonly badge = computed(() => statusBadge(this.account(), this.now()));
  /** Only a working connection has life left; a dead one shows why instead of a full bar. */
  protected readonly life = computed(() =>
    this.broken()
      ? null
      : tokenLifeLeft(this.account().token_issued_at, this.account().token_expires_at, this.now()),
  );
  protected readonly expiry = computed(() =>
    this.broken()
      ? 'Stopped working: reconnect to restore'
      : expiryText(this.account().token_expires_at, this.now()),
  );
  protected readonly broken = computed(() => {
    const s = this.account().status;
    return s === 'needs_reconnect' || s === 'revoked' || s === 'disconnected';
  });
  protected readonly needsUser = computed(() => {
    const s = this.account().status;
    return s === 'needs_reconnect' || s === 'revoked' || s === 'expiring';
  });
  protected readonly formatDate = formatDate;

  protected ago(iso: string | null): string {
    return relativeTime(iso, this.now());
  }

  async refresh(): Promise<void> {
    if (this.busy()) return;
    this.busy.set('refresh');
    this.error.set(null);
    this.refreshResult.set(null);
    try {
      const res = await firstValueFrom(this.api.refresh(this.account().id));
      // a failed check shows up as the card's status and reason; no need to say it twice
      if (res.success) this.refreshResult.set({ text: res.message, extended: res.extended });
      this.changed.emit();
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.busy.set(null);
    }
  }

  async renew(): Promise<void> {
    if (this.busy()) return;
    this.busy.set('renew');
    this.error.set(null);
    try {
      // renewed through the dialog it was connected with
      await this.launcher.launch(this.account().id, this.account().login_type ?? 'facebook');
      // The browser is leaving for Facebook or Instagram: stay disabled.
    } catch (err) {
      this.error.set(toUserMessage(err));
      this.busy.set(null);
    }
  }

  async makeDefault(): Promise<void> {
    if (this.busy()) return;
    this.busy.set('default');
    this.error.set(null);
    try {
      await firstValueFrom(this.api.makeDefault(this.account().id));
      this.changed.emit();
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.busy.set(null);
    }
  }

  toggleHistory(): void {
    this.historyOpen.update((v) => !v);
  }

  openDisconnect(): void {
    if (this.busy()) return;
    this.dialogError.set(null);
    const dialog = this.dialog().nativeElement;
    if (typeof dialog.showModal === 'function') {
      dialog.showModal();
    } else {
      dialog.setAttribute('open', '');
    }
    // Start on the harmless choice.
    this.cancelButton().nativeElement.focus();
  }

  closeDisconnect(): void {
    const dialog = this.dialog().nativeElement;
    if (typeof dialog.close === 'function') dialog.close();
    else dialog.removeAttribute('open');
  }

  /** Native `close` (Cancel or Escape): give focus back to the trigger. */
  onDialogClosed(): void {
    // After a disconnect the card is going away; the page moves focus instead.
    if (!this.gone) this.disconnectButton().nativeElement.focus();
  }

  /** Escape while disconnecting would hide the progress: keep the dialog open. */
  onDialogCancel(event: Event): void {
    if (this.busy() === 'disconnect') event.preventDefault();
  }

  async confirmDisconnect(): Promise<void> {
    if (this.busy()) return;
    this.busy.set('disconnect');
    this.dialogError.set(null);
    try {
      const res = await firstValueFrom(this.api.disconnect(this.account().id));
      this.gone = true;
      this.closeDisconnect();
      this.removed.emit(res.message || `Disconnected @${this.username()}.`);
    } catch (err) {
      this.dialogError.set(toUserMessage(err));
    } finally {
      this.busy.set(null);
    }
  }
}
