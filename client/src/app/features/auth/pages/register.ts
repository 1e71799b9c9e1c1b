import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormGroup, ReactiveFormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { AuthApi } from '../../../core/auth/auth.api';
import { safeReturnUrl } from '../../../core/auth/return-url';
import { ApiError, toUserMessage } from '../../../core/http/api-error';
import {
  PASSWORD_MIN_LENGTH,
  emailControl,
  emailError,
  focusFirstInvalid,
  passwordControl,
  passwordError,
} from '../components/auth-form';

@Component({
  selector: 'app-register',
  imports: [ReactiveFormsModule, RouterLink],
  templateUrl: './register.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Register {
  private readonly auth = inject(AuthApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly minLength = PASSWORD_MIN_LENGTH;
  protected readonly form = new FormGroup({
    email: emailControl(),
    password: passwordControl(PASSWORD_MIN_LENGTH),
  });
  protected readonly submitting = signal(false);
  protected readonly submitted = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly emailTaken = signal(false);
  protected readonly formStatus = toSignal(this.form.statusChanges);
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
    this.emailTaken.set(false);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      focusFirstInvalid();
      return;
    }
    this.submitting.set(true);
    const credentials = this.form.getRawValue();
    try {
      await firstValueFrom(this.auth.register(credentials));
      await firstValueFrom(this.auth.login(credentials));
      const target = safeReturnUrl(this.route.snapshot.queryParamMap.get('returnUrl'));
      await this.router.navigateByUrl(target, { replaceUrl: true });
    } catch (err) {
      this.emailTaken.set(err instanceof ApiError && err.code === 'EMAIL_TAKEN');
      this.error.set(toUserMessage(err));
    } finally {
      this.submitting.set(false);
    }
  }
}
