import {
  ChangeDetectionStrategy,
  Component,
  type OnInit,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import {
  type AbstractControl,
  FormControl,
  FormRecord,
  ReactiveFormsModule,
  type ValidationErrors,
} from '@angular/forms';
import { firstValueFrom } from 'rxjs';

import { ApiError, toUserMessage } from '../../../core/http/api-error';
import { formatDate } from './account-view';
import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { Candidate, ConnectedResult } from '../data/social-accounts.model';

function atLeastOne(group: AbstractControl): ValidationErrors | null {
  const values = Object.values((group as FormRecord<FormControl<boolean>>).getRawValue());
  return values.some(Boolean) ? null : { atLeastOne: true };
}

/** One Facebook login reached several Instagram accounts: the user picks which to connect. */
@Component({
  selector: 'app-account-picker',
  imports: [ReactiveFormsModule],
  templateUrl: './account-picker.html',
  styleUrl: './account-picker.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AccountPicker implements OnInit {
  private readonly api = inject(ConnectedAccountsApi);

  readonly state = input.required<string>();
  readonly candidates = input.required<Candidate[]>();
  readonly expiresAt = input<string | null>(null);
  readonly connected = output<ConnectedResult>();
  readonly cancelled = output<void>();
  /** The selection can't be used any more (state expired/invalid): start over. */
  readonly restart = output<string>();

  protected readonly form = new FormRecord<FormControl<boolean>>({}, { validators: atLeastOne });
  protected readonly submitting = signal(false);
  protected readonly submitted = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly formatDate = formatDate;

  ngOnInit(): void {
    const fresh = this.candidates().filter((c) => !c.already_connected);
    for (const c of this.candidates()) {
      // Pre-tick what is new; if everything is already connected, the user chooses.
      this.form.addControl(
        c.ig_user_id,
        new FormControl(fresh.length > 0 && !c.already_connected, { nonNullable: true }),
      );
    }
  }

  protected showRequired(): boolean {
    return this.submitted() && this.form.hasError('atLeastOne');
  }

  async submit(): Promise<void> {
    if (this.submitting()) return;
    this.submitted.set(true);
    this.error.set(null);
    if (this.form.invalid) return;
    const ids = Object.entries(this.form.getRawValue())
      .filter(([, on]) => on)
      .map(([id]) => id);
    this.submitting.set(true);
    try {
      const res = await firstValueFrom(this.api.selectAccounts(this.state(), ids));
      this.connected.emit(res);
    } catch (err) {
      if (
        err instanceof ApiError &&
        (err.code === 'OAUTH_STATE_EXPIRED' || err.code === 'OAUTH_STATE_INVALID')
      ) {
        this.restart.emit(err.code);
      } else {
        this.error.set(toUserMessage(err));
      }
    } finally {
      this.submitting.set(false);
    }
  }
}
