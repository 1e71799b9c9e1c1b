import { FormControl, Validators } from '@angular/forms';

export const PASSWORD_MIN_LENGTH = 8;

/** Accepts what the API accepts: something@something.tld, no spaces. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emailControl(): FormControl<string> {
  return new FormControl('', {
    nonNullable: true,
    validators: [Validators.required, Validators.email, Validators.pattern(EMAIL_PATTERN)],
  });
}

export function passwordControl(minLength = 0): FormControl<string> {
  const validators = [Validators.required];
  if (minLength > 0) validators.push(Validators.minLength(minLength));
  return new FormControl('', { nonNullable: true, validators });
}

export function emailError(c: FormControl<string>): string | null {
  if (c.hasError('required')) return 'Enter your email address.';
  if (c.hasError('email') || c.hasError('pattern'))
    return 'Enter a valid email address, like name@example.com.';
  return null;
}

export function passwordError(c: FormControl<string>): string | null {
  if (c.hasError('required')) return 'Enter your password.';
  if (c.hasError('minlength')) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  return null;
}

/** Moves focus to the first invalid field so keyboard and screen-reader users land on it. */
export function focusFirstInvalid(): void {
  document.querySelector<HTMLElement>('form input.ng-invalid')?.focus();
}
