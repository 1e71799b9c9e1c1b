import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { TokenStore } from '../../../core/auth/token.store';
import { ApiError } from '../../../core/http/api-error';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import { ApiKeysApi, WebhooksApi } from './integrations.api';

describe('ApiKeysApi and WebhooksApi', () => {
  let httpMock: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideTestApp(), provideRouter([])] });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
  });
  afterEach(() => httpMock.verify());

  it('should create a key with its scopes and the user’s bearer', async () => {
    const p = firstValueFrom(TestBed.inject(ApiKeysApi).create('ci', ['read', 'write']));
    const req = httpMock.expectOne(`${TEST_API}/auth/api-keys`);
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ name: 'ci', scopes: ['read', 'write'] });
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt');
    req.flush({
      id: 1,
      name: 'ci',
      key: 'ark_x',
      prefix: 'ark_x',
      scopes: ['read', 'write'],
      created_at: '',
      last_used_at: null,
    });
    expect((await p).key).toBe('ark_x');
  });

  it('should revoke by id and turn a 404 into a sentence', async () => {
    const p = firstValueFrom(TestBed.inject(ApiKeysApi).revoke(9));
    const req = httpMock.expectOne(`${TEST_API}/auth/api-keys/9`);
    expect(req.request.method).toBe('DELETE');
    req.flush(
      { statusCode: 404, code: 'API_KEY_NOT_FOUND', message: 'No such API key.' },
      { status: 404, statusText: 'Not Found' },
    );
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('That API key no longer exists.');
  });

  it('should register an endpoint, send a test and unwrap the delivery log', async () => {
    const api = TestBed.inject(WebhooksApi);
    api.create('https://h.example/x', ['connection.revoked']).subscribe();
    const create = httpMock.expectOne(`${TEST_API}/integrations/webhooks`);
    expect(create.request.body).toEqual({
      url: 'https://h.example/x',
      events: ['connection.revoked'],
    });
    create.flush({});
    api.sendTest(4).subscribe();
    const test = httpMock.expectOne(`${TEST_API}/integrations/webhooks/4/test`);
    expect(test.request.method).toBe('POST');
    test.flush({});
    const p = firstValueFrom(api.deliveries(4));
    httpMock
      .expectOne(`${TEST_API}/integrations/webhooks/4/deliveries`)
      .flush({ deliveries: [{ id: 'd1' }] });
    expect(await p).toEqual([{ id: 'd1' }]);
  });
});
