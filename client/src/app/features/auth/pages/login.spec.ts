import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { TokenStore } from '../../../core/auth/token.store';
import { byTestId, settle, typeInto } from '../../../testing/dom';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import { Login } from './login';

@Component({ template: 'target' })
class Target {}

describe('Login', () => {
  let harness: RouterTestingHarness;
  let httpMock: HttpTestingController;
  let el: HTMLElement;

  async function open(url = '/login'): Promise<void> {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, Login);
    el = harness.routeNativeElement as HTMLElement;
    await settle(harness.fixture);
  }

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([
          { path: 'login', component: Login },
          { path: 'settings/social-accounts', component: Target },
          { path: 'settings/social-accounts/callback', component: Target },
        ]),
      ],
    });
    httpMock = TestBed.inject(HttpTestingController);
  });

  afterEach(() => httpMock.verify());

  it('should show field messages and send nothing when submitted empty', async () => {
    await open();
    byTestId<HTMLButtonElement>(el, 'login-submit')!.click();
    await settle(harness.fixture);
    expect(el.textContent).toContain('Enter your email address.');
    expect(el.textContent).toContain('Enter your password.');
    expect(byTestId(el, 'login-email')!.getAttribute('aria-invalid')).toBe('true');
    httpMock.expectNone(`${TEST_API}/auth/login`);
  });

  it('should say why it asks when a signed-out user arrives from the Facebook callback', async () => {
    await open(
      `/login?returnUrl=${encodeURIComponent('/settings/social-accounts/callback?code=c&state=s')}`,
    );
    expect(byTestId(el, 'login-reason')?.textContent).toContain(
      'Sign in to finish connecting your Instagram account',
    );
  });

  it('should not show the connect reason on a plain sign-in', async () => {
    await open('/login?returnUrl=%2Fsettings%2Fsocial-accounts');
    expect(byTestId(el, 'login-reason')).toBeNull();
  });

  it('should explain the email format when the email is malformed', async () => {
    await open();
    typeInto(byTestId<HTMLInputElement>(el, 'login-email')!, 'not-an-email');
    await settle(harness.fixture);
    expect(el.textContent).toContain('Enter a valid email address');
  });

  it('should sign in, disable the button while waiting, and go to the settings page', async () => {
    await open();
    typeInto(byTestId<HTMLInputElement>(el, 'login-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'login-password')!, 'correct-horse');
    byTestId<HTMLButtonElement>(el, 'login-submit')!.click();
    await settle(harness.fixture);
    const button = byTestId<HTMLButtonElement>(el, 'login-submit')!;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toContain('Signing in…');
    button.click(); // a double click must not send twice
    const req = httpMock.expectOne(`${TEST_API}/auth/login`);
    expect(req.request.body).toEqual({ email: 'ann@example.com', password: 'correct-horse' });
    req.flush({ access_token: 'jwt', token_type: 'bearer', expires_in: 3600 });
    await settle(harness.fixture);
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts');
    expect(TestBed.inject(TokenStore).token()).toBe('jwt');
  });

  it('should return to a safe returnUrl after signing in', async () => {
    await open('/login?returnUrl=%2Fsettings%2Fsocial-accounts%2Fcallback%3Fcode%3Dc%26state%3Ds');
    typeInto(byTestId<HTMLInputElement>(el, 'login-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'login-password')!, 'correct-horse');
    byTestId<HTMLButtonElement>(el, 'login-submit')!.click();
    httpMock
      .expectOne(`${TEST_API}/auth/login`)
      .flush({ access_token: 'jwt', token_type: 'bearer', expires_in: 3600 });
    await settle(harness.fixture);
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts/callback?code=c&state=s');
  });

  it('should ignore an external returnUrl when signing in', async () => {
    await open('/login?returnUrl=%2F%2Fevil.example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'login-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'login-password')!, 'correct-horse');
    byTestId<HTMLButtonElement>(el, 'login-submit')!.click();
    httpMock
      .expectOne(`${TEST_API}/auth/login`)
      .flush({ access_token: 'jwt', token_type: 'bearer', expires_in: 3600 });
    await settle(harness.fixture);
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts');
  });

  it('should show the sentence under the form and re-enable the button when credentials are wrong', async () => {
    await open();
    typeInto(byTestId<HTMLInputElement>(el, 'login-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'login-password')!, 'wrong-pass');
    byTestId<HTMLButtonElement>(el, 'login-submit')!.click();
    httpMock.expectOne(`${TEST_API}/auth/login`).flush(
      {
        statusCode: 401,
        code: 'INVALID_CREDENTIALS',
        message: 'E-mail or password is incorrect.',
      },
      { status: 401, statusText: 'Unauthorized' },
    );
    await settle(harness.fixture);
    expect(byTestId(el, 'form-error')!.textContent).toContain(
      'That email and password do not match',
    );
    expect(byTestId<HTMLButtonElement>(el, 'login-submit')!.disabled).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  async function submitWrongPassword(): Promise<void> {
    await open();
    typeInto(byTestId<HTMLInputElement>(el, 'login-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'login-password')!, 'wrong-pass');
    byTestId<HTMLButtonElement>(el, 'login-submit')!.click();
    await settle(harness.fixture);
  }

  // POST /auth/login while the account is locked: 429 with retry_after and Retry-After (seconds).
  it.each([
    [600, 'Try again in 10 minutes.'],
    [61, 'Try again in 2 minutes.'],
    [45, 'Try again in 1 minute.'],
  ])(
    'should say how many minutes to wait when the account is locked for %i seconds',
    async (seconds, wait) => {
      await submitWrongPassword();
      httpMock.expectOne(`${TEST_API}/auth/login`).flush(
        {
          statusCode: 429,
          code: 'LOGIN_LOCKED',
          message: `Too many failed sign-ins for this account; try again in ${seconds} s.`,
          retry_after: seconds,
        },
        {
          status: 429,
          statusText: 'Too Many Requests',
          headers: { 'Retry-After': String(seconds) },
        },
      );
      await settle(harness.fixture);
      expect(byTestId(el, 'form-error')!.textContent!.trim()).toBe(
        `Too many failed sign-ins for this account. ${wait}`,
      );
      expect(byTestId<HTMLButtonElement>(el, 'login-submit')!.disabled).toBe(false);
    },
  );

  it('should read the Retry-After header when a lock answer has no retry_after in its body', async () => {
    await submitWrongPassword();
    httpMock.expectOne(`${TEST_API}/auth/login`).flush(
      {
        statusCode: 429,
        code: 'LOGIN_LOCKED',
        message: 'Too many failed sign-ins for this account; try again in 300 s.',
      },
      { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '300' } },
    );
    await settle(harness.fixture);
    expect(byTestId(el, 'form-error')!.textContent).toContain('Try again in 5 minutes.');
  });

  it('should keep the per-address sentence, not the account lock, when the API says RATE_LIMITED', async () => {
    await submitWrongPassword();
    httpMock.expectOne(`${TEST_API}/auth/login`).flush(
      {
        statusCode: 429,
        code: 'RATE_LIMITED',
        message: 'Too many requests; try again in a minute.',
      },
      { status: 429, statusText: 'Too Many Requests' },
    );
    await settle(harness.fixture);
    const text = byTestId(el, 'form-error')!.textContent!;
    expect(text).toContain('Too many attempts in a short time. Wait a minute and try again.');
    expect(text).not.toContain('for this account');
  });

  it('should show the notice handed over when another page sends the user here', async () => {
    harness = await RouterTestingHarness.create();
    await TestBed.inject(Router).navigateByUrl('/login', {
      state: { notice: 'Signed out on every device.' },
    });
    await settle(harness.fixture);
    el = harness.routeNativeElement as HTMLElement;
    expect(byTestId(el, 'login-notice')!.textContent).toContain('Signed out on every device.');
  });

  it('should show no notice when /login is opened directly', async () => {
    await open();
    expect(byTestId(el, 'login-notice')).toBeNull();
  });
});
