import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormGroup, ReactiveFormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { AuthApi } from '../../../core/auth/auth.api';
import { safeReturnUrl } from '../../../core/auth/return-url';
import { toUserMessage } from '../../../core/http/api-error';
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
      this.error.set(toUserMessage(err));
    } finally {
      this.submitting.set(false);
    }
  }
}
