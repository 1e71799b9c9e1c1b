import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { aUser } from '../../../testing/auth.fixtures';
import { byTestId, settle, typeInto } from '../../../testing/dom';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import { Register } from './register';

@Component({ template: 'target' })
class Target {}

describe('Register', () => {
  let harness: RouterTestingHarness;
  let httpMock: HttpTestingController;
  let el: HTMLElement;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([
          { path: 'register', component: Register },
          { path: 'login', component: Target },
          { path: 'settings/social-accounts', component: Target },
        ]),
      ],
    });
    httpMock = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/register', Register);
    el = harness.routeNativeElement as HTMLElement;
  });

  afterEach(() => httpMock.verify());

  it('should refuse a password shorter than 8 characters when submitting', async () => {
    typeInto(byTestId<HTMLInputElement>(el, 'register-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'register-password')!, 'short');
    byTestId<HTMLButtonElement>(el, 'register-submit')!.click();
    await settle(harness.fixture);
    expect(el.textContent).toContain('Use at least 8 characters.');
    httpMock.expectNone(`${TEST_API}/auth/register`);
  });

  it('should register, then sign in with the same credentials, then open the settings page', async () => {
    typeInto(byTestId<HTMLInputElement>(el, 'register-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'register-password')!, 'long-enough');
    byTestId<HTMLButtonElement>(el, 'register-submit')!.click();
    httpMock
      .expectOne(`${TEST_API}/auth/register`)
      .flush(aUser({ email: 'ann@example.com' }), { status: 201, statusText: 'Created' });
    await settle(harness.fixture);
    const login = httpMock.expectOne(`${TEST_API}/auth/login`);
    expect(login.request.body).toEqual({ email: 'ann@example.com', password: 'long-enough' });
    login.flush({ access_token: 'jwt', token_type: 'bearer', expires_in: 3600 });
    await settle(harness.fixture);
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts');
  });

  it('should offer to sign in when the email is taken', async () => {
    typeInto(byTestId<HTMLInputElement>(el, 'register-email')!, 'ann@example.com');
    typeInto(byTestId<HTMLInputElement>(el, 'register-password')!, 'long-enough');
    byTestId<HTMLButtonElement>(el, 'register-submit')!.click();
    httpMock.expectOne(`${TEST_API}/auth/register`).flush(
      {
        statusCode: 409,
        code: 'EMAIL_TAKEN',
        message: 'An account with this e-mail already exists.',
      },
      { status: 409, statusText: 'Conflict' },
    );
    await settle(harness.fixture);
    const error = byTestId(el, 'form-error')!;
    expect(error.textContent).toContain('already exists');
    expect(error.querySelector('a')!.getAttribute('href')).toBe('/login');
  });
});
