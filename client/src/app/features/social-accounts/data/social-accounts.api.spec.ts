import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { TokenStore } from '../../../core/auth/token.store';
import { ApiError } from '../../../core/http/api-error';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import { ConnectedAccountsApi } from './social-accounts.api';
import {
  aDisconnectResult,
  aLoginUrl,
  aRefreshResult,
  anAccount,
  anAlert,
} from '../../../testing/social-accounts.fixtures';

describe('ConnectedAccountsApi', () => {
  let api: ConnectedAccountsApi;
  let httpMock: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideTestApp(), provideRouter([])] });
    TestBed.inject(TokenStore).save('jwt', 3600);
    api = TestBed.inject(ConnectedAccountsApi);
    httpMock = TestBed.inject(HttpTestingController);
  });

  afterEach(() => httpMock.verify());

  it('should post an empty body when starting a new connection', async () => {
    const p = firstValueFrom(api.startLogin());
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/login`);
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({});
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt');
    req.flush(aLoginUrl('https://facebook.example/dialog'));
    expect((await p).login_url).toBe('https://facebook.example/dialog');
  });

  it('should keep a numeric account id a number when renewing (the API validates it)', () => {
    api.startLogin(7).subscribe();
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/login`);
    expect(req.request.body).toEqual({ account_id: 7 });
    req.flush(aLoginUrl());
  });

  it('should forward the callback query unchanged and ask for JSON', () => {
    api.completeCallback({ code: 'AQ+b/c=', state: 'st_1' }).subscribe();
    const req = httpMock.expectOne(
      (r) => r.url === `${TEST_API}/social/facebook/callback?code=AQ%2Bb%2Fc%3D&state=st_1`,
    );
    expect(req.request.method).toBe('GET');
    expect(req.request.headers.get('Accept')).toBe('application/json');
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt');
    req.flush({ status: 'connected', accounts: [anAccount()], message: 'Connected @alice.' });
  });

  it('should start Instagram Login on its own route, with the account id when renewing', () => {
    api.startInstagramLogin().subscribe();
    const fresh = httpMock.expectOne(`${TEST_API}/social/instagram/login`);
    expect(fresh.request.method).toBe('POST');
    expect(fresh.request.body).toEqual({});
    fresh.flush(aLoginUrl());
    api.startInstagramLogin(9).subscribe();
    const renew = httpMock.expectOne(`${TEST_API}/social/instagram/login`);
    expect(renew.request.body).toEqual({ account_id: 9 });
    renew.flush(aLoginUrl());
  });

  it("should forward an Instagram dialog's query to the Instagram callback", () => {
    api.completeCallback({ code: 'AQB-1', state: 'st_2' }, 'instagram').subscribe();
    const req = httpMock.expectOne(`${TEST_API}/social/instagram/callback?code=AQB-1&state=st_2`);
    expect(req.request.headers.get('Accept')).toBe('application/json');
    req.flush({
      status: 'connected',
      accounts: [anAccount({ login_type: 'instagram' })],
      message: 'Connected @alice.',
    });
  });

  it('should post the state and chosen ids when submitting the picker', () => {
    api.selectAccounts('st', ['1', '2']).subscribe();
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/select`);
    expect(req.request.body).toEqual({ state: 'st', ig_user_ids: ['1', '2'] });
    req.flush({ status: 'connected', accounts: [anAccount()], message: 'Connected @alice.' });
  });

  it('should unwrap the accounts list', async () => {
    const p = firstValueFrom(api.list());
    httpMock.expectOne(`${TEST_API}/social/accounts`).flush({ accounts: [anAccount()] });
    expect((await p).map((a) => a.instagram_username)).toEqual(['alice']);
  });

  it('should call the per-account routes with the id', () => {
    api.makeDefault('a/1').subscribe();
    api.refresh('a1').subscribe();
    api.disconnect('a1').subscribe();
    api.events('a1').subscribe();
    const patch = httpMock.expectOne(`${TEST_API}/social/accounts/a%2F1`);
    expect(patch.request.method).toBe('PATCH');
    expect(patch.request.body).toEqual({ is_default: true });
    patch.flush(anAccount());
    const refresh = httpMock.expectOne(`${TEST_API}/social/accounts/a1/refresh-token`);
    expect(refresh.request.method).toBe('POST');
    refresh.flush(aRefreshResult());
    const del = httpMock.expectOne(`${TEST_API}/social/accounts/a1`);
    expect(del.request.method).toBe('DELETE');
    del.flush(aDisconnectResult());
    httpMock.expectOne(`${TEST_API}/social/accounts/a1/events`).flush({ events: [] });
  });

  it('should ask only for unread alerts and mark one read', async () => {
    const p = firstValueFrom(api.unreadAlerts());
    const req = httpMock.expectOne(`${TEST_API}/social/alerts?unread=true`);
    req.flush({ alerts: [anAlert({ id: 3 })] });
    expect((await p).map((a) => a.id)).toEqual([3]);
    api.markAlertRead(3).subscribe();
    const read = httpMock.expectOne(`${TEST_API}/social/alerts/3/read`);
    expect(read.request.method).toBe('POST');
    read.flush(anAlert({ id: 3, read_at: '2026-06-15T12:00:00Z' }));
  });

  it('should surface API errors as ApiError with the code', async () => {
    const p = firstValueFrom(api.refresh('a1'));
    httpMock.expectOne(`${TEST_API}/social/accounts/a1/refresh-token`).flush(
      {
        statusCode: 409,
        code: 'REFRESH_IN_PROGRESS',
        message: 'A check of this account is already running; try again in a minute.',
      },
      { status: 409, statusText: 'Conflict' },
    );
    const err = (await p.catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('REFRESH_IN_PROGRESS');
  });
});
