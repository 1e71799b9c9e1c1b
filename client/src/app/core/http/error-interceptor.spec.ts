import { HttpClient } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { TEST_API, provideTestApp } from '../../testing/test-providers';
import { TokenStore } from '../auth/token.store';
import { ApiError } from './api-error';

@Component({ template: '' })
class Blank {}

describe('errorInterceptor', () => {
  let http: HttpClient;
  let httpMock: HttpTestingController;
  let tokens: TokenStore;
  let router: Router;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'settings/social-accounts', component: Blank },
        ]),
      ],
    });
    http = TestBed.inject(HttpClient);
    httpMock = TestBed.inject(HttpTestingController);
    tokens = TestBed.inject(TokenStore);
    router = TestBed.inject(Router);
    await router.navigateByUrl('/settings/social-accounts');
  });

  afterEach(() => httpMock.verify());

  async function fail(
    body: object | string,
    status: number,
    statusText = 'Error',
  ): Promise<ApiError> {
    const p = firstValueFrom(http.get(`${TEST_API}/x`));
    httpMock.expectOne(`${TEST_API}/x`).flush(body, { status, statusText });
    try {
      await p;
    } catch (e) {
      return e as ApiError;
    }
    throw new Error('expected the request to fail');
  }

  it('should turn the API error body into an ApiError with a readable sentence', async () => {
    const err = await fail(
      {
        statusCode: 409,
        code: 'EMAIL_TAKEN',
        message: 'An account with this e-mail already exists.',
      },
      409,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.code).toBe('EMAIL_TAKEN');
    expect(err.message).toBe('An account with this email already exists. Sign in instead.');
    expect(err.serverMessage).toBe('An account with this e-mail already exists.');
  });

  it('should keep extra fields such as declined when the body has them', async () => {
    const err = await fail(
      {
        statusCode: 400,
        code: 'PERMISSIONS_DECLINED',
        message:
          'AutoReels needs every requested permission; these were declined: instagram_basic. Connect again and allow them.',
        declined: ['instagram_basic'],
      },
      400,
    );
    expect(err.declined).toEqual(['instagram_basic']);
    expect(err.message).toContain('instagram_basic');
  });

  it('should use a generic sentence when the code has no sentence or the body is not JSON', async () => {
    // A code the API sends (body-parser's charset error) that this client has no sentence for.
    const unknown = await fail(
      {
        statusCode: 415,
        code: 'UNSUPPORTED_ENCODING',
        message: 'The charset of the request body is not supported.',
      },
      415,
    );
    expect(unknown.code).toBe('UNSUPPORTED_ENCODING');
    expect(unknown.message).toBe('Something went wrong on our side. Please try again.');
    // What a reverse proxy in front of the API answers when the API is down.
    const html = await fail('<html>Bad gateway</html>', 502);
    expect(html.code).toBe('UNKNOWN_ERROR');
    expect(html.message).toBe('Something went wrong on our side. Please try again.');
  });

  it("should say the server can't be reached when the network fails (status 0)", async () => {
    const p = firstValueFrom(http.get(`${TEST_API}/x`));
    httpMock.expectOne(`${TEST_API}/x`).error(new ProgressEvent('error'), { status: 0 });
    const err = (await p.catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('NETWORK_ERROR');
    expect(err.message).toMatch(/^Can't reach the server/);
  });

  it.each([
    ['AUTH_TOKEN_INVALID', 'You were signed out; please sign in again.'],
    ['AUTH_REQUIRED', 'Unauthorized'],
  ])(
    'should clear the session and go to /login with a returnUrl when a 401 says %s',
    async (code, message) => {
      tokens.save('abc', 3600);
      await fail({ statusCode: 401, code, message }, 401);
      await new Promise((r) => setTimeout(r));
      expect(tokens.token()).toBeNull();
      expect(router.url).toBe('/login?returnUrl=%2Fsettings%2Fsocial-accounts');
    },
  );

  it('should keep the session when a 401 means wrong credentials', async () => {
    tokens.save('abc', 3600);
    const err = await fail(
      { statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'E-mail or password is incorrect.' },
      401,
    );
    await new Promise((r) => setTimeout(r));
    expect(err.code).toBe('INVALID_CREDENTIALS');
    expect(tokens.token()).toBe('abc');
    expect(router.url).toBe('/settings/social-accounts');
  });
});
