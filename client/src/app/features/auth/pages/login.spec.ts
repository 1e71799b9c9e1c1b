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
    httpMock
      .expectOne(`${TEST_API}/auth/login`)
      .flush(
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
});
