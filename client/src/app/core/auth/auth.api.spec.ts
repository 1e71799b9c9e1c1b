import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { aUser } from '../../testing/auth.fixtures';
import { TEST_API, TEST_NOW, provideTestApp } from '../../testing/test-providers';
import { ApiError } from '../http/api-error';
import { AuthApi } from './auth.api';
import { SESSION_STORAGE_KEY, TokenStore } from './token.store';

describe('AuthApi', () => {
  let api: AuthApi;
  let httpMock: HttpTestingController;
  let tokens: TokenStore;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideTestApp(), provideRouter([])] });
    api = TestBed.inject(AuthApi);
    httpMock = TestBed.inject(HttpTestingController);
    tokens = TestBed.inject(TokenStore);
  });

  afterEach(() => httpMock.verify());

  it('should post the credentials to /auth/register when registering', async () => {
    const p = firstValueFrom(api.register({ email: 'a@b.co', password: 'secret123' }));
    const req = httpMock.expectOne(`${TEST_API}/auth/register`);
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ email: 'a@b.co', password: 'secret123' });
    req.flush(aUser({ email: 'a@b.co' }), { status: 201, statusText: 'Created' });
    expect((await p).email).toBe('a@b.co');
  });

  it('should store the token with its lifetime when login succeeds', async () => {
    const p = firstValueFrom(api.login({ email: 'a@b.co', password: 'secret123' }));
    httpMock
      .expectOne(`${TEST_API}/auth/login`)
      .flush({ access_token: 'jwt-1', token_type: 'bearer', expires_in: 3600 });
    await p;
    expect(tokens.token()).toBe('jwt-1');
    const stored = JSON.parse(localStorage.getItem(SESSION_STORAGE_KEY) ?? '{}') as {
      expiresAt: number;
    };
    expect(stored.expiresAt).toBe(TEST_NOW.getTime() + 3_600_000);
  });

  it('should store nothing and reject with INVALID_CREDENTIALS when login fails', async () => {
    const p = firstValueFrom(api.login({ email: 'a@b.co', password: 'wrong-pass' }));
    httpMock.expectOne(`${TEST_API}/auth/login`).flush(
      {
        statusCode: 401,
        code: 'INVALID_CREDENTIALS',
        message: 'E-mail or password is incorrect.',
      },
      { status: 401, statusText: 'Unauthorized' },
    );
    const err = (await p.catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('INVALID_CREDENTIALS');
    expect(tokens.isAuthenticated()).toBe(false);
  });

  it('should remember the user when /auth/me answers', async () => {
    tokens.save('jwt-1', 3600);
    const p = firstValueFrom(api.me());
    const req = httpMock.expectOne(`${TEST_API}/auth/me`);
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt-1');
    req.flush(aUser({ email: 'a@b.co' }));
    await p;
    expect(api.currentUser()?.email).toBe('a@b.co');
  });

  it('should forget the token and the user when logging out', () => {
    tokens.save('jwt-1', 3600);
    api.logout();
    expect(tokens.token()).toBeNull();
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(api.currentUser()).toBeNull();
  });

  it('should forget the token and the user when the API confirms signing out everywhere', async () => {
    tokens.save('jwt-1', 3600);
    api.currentUser.set(aUser());
    const p = firstValueFrom(api.logoutAll(), { defaultValue: undefined });
    const req = httpMock.expectOne(`${TEST_API}/auth/logout-all`);
    expect(req.request.method).toBe('POST');
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt-1');
    expect(tokens.token()).toBe('jwt-1');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await p;
    expect(tokens.token()).toBeNull();
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(api.currentUser()).toBeNull();
  });

  it('should keep the session when signing out everywhere fails', async () => {
    tokens.save('jwt-1', 3600);
    const p = firstValueFrom(api.logoutAll());
    httpMock.expectOne(`${TEST_API}/auth/logout-all`).flush(
      {
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: 'A backing service is unavailable; please try again shortly.',
      },
      { status: 503, statusText: 'Service Unavailable' },
    );
    const err = (await p.catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(tokens.token()).toBe('jwt-1');
  });
});

describe('TokenStore', () => {
  beforeEach(() => localStorage.clear());

  it('should restore a saved session after a reload when it has not expired', () => {
    localStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ token: 'kept', expiresAt: TEST_NOW.getTime() + 1000 }),
    );
    TestBed.configureTestingModule({ providers: [provideTestApp()] });
    expect(TestBed.inject(TokenStore).token()).toBe('kept');
  });

  it('should treat an expired or corrupt session as signed out', () => {
    localStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ token: 'old', expiresAt: TEST_NOW.getTime() }),
    );
    TestBed.configureTestingModule({ providers: [provideTestApp()] });
    expect(TestBed.inject(TokenStore).isAuthenticated()).toBe(false);

    TestBed.resetTestingModule();
    localStorage.setItem(SESSION_STORAGE_KEY, '{not json');
    TestBed.configureTestingModule({ providers: [provideTestApp()] });
    expect(TestBed.inject(TokenStore).isAuthenticated()).toBe(false);
  });
});
