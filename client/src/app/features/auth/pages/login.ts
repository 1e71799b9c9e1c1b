import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormGroup, ReactiveFormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { AuthApi } from '../../../core/auth/auth.api';
import type { LoginPageState } from '../../../core/auth/auth.model';
import { safeReturnUrl } from '../../../core/auth/return-url';
import { ApiError, toUserMessage } from '../../../core/http/api-error';
import {
  emailControl,
  emailError,
  focusFirstInvalid,
  passwordControl,
  passwordError,
} from '../components/auth-form';

@Component({
  selector: 'app-login',
  imports: [ReactiveFormsModule, RouterLink],
  templateUrl: './login.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Login {
  private readonly auth = inject(AuthApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly form = new FormGroup({
    email: emailControl(),
    // Login does not enforce the length: old passwords must still work.
    password: passwordControl(),
  });
  protected readonly submitting = signal(false);
  protected readonly submitted = signal(false);
  protected readonly error = signal<string | null>(null);
  // Re-evaluate error messages whenever the form changes.
  protected readonly formStatus = toSignal(this.form.statusChanges);
  /** Arriving from Facebook (or an e-mailed reconnect link) signed out: say why we ask. */
  protected readonly finishingConnect = (
    this.route.snapshot.queryParamMap.get('returnUrl') ?? ''
  ).startsWith('/settings/social-accounts/callback');
  /** A sentence handed over by the page that sent us here (e.g. "Signed out on every device."). */
  protected readonly notice = noticeFrom(this.router.currentNavigation()?.extras.state);
  protected readonly emailError = emailError;
  protected readonly passwordError = passwordError;

  protected show(name: 'email' | 'password'): boolean {
    this.formStatus();
    const c = this.form.controls[name];
    return c.invalid && (c.touched || this.submitted());
  }

  async submit(): Promise<void> {
    if (this.submitting()) return;
    this.submitted.set(true);
    this.error.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      focusFirstInvalid();
      return;
    }
    this.submitting.set(true);
    try {
      await firstValueFrom(this.auth.login(this.form.getRawValue()));
      const target = safeReturnUrl(this.route.snapshot.queryParamMap.get('returnUrl'));
      await this.router.navigateByUrl(target, { replaceUrl: true });
    } catch (err) {
      this.error.set(signInErrorMessage(err));
    } finally {
      this.submitting.set(false);
    }
  }
}

function noticeFrom(state: LoginPageState | undefined): string | null {
  const notice = state?.notice;
  return typeof notice === 'string' && notice !== '' ? notice : null;
}

/**
 * LOGIN_LOCKED (this account, after repeated wrong passwords) says how long to wait; RATE_LIMITED
 * (this network address) keeps its generic sentence.
 */
export function signInErrorMessage(err: unknown): string {
  if (err instanceof ApiError && err.code === 'LOGIN_LOCKED' && err.retryAfterSeconds !== null) {
    const minutes = Math.max(1, Math.ceil(err.retryAfterSeconds / 60));
    return `Too many failed sign-ins for this account. Try again in ${minutes} ${
      minutes === 1 ? 'minute' : 'minutes'
    }.`;
  }
  return toUserMessage(err);
}
