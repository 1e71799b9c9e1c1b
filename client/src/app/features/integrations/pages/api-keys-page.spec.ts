import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { TokenStore } from '../../../core/auth/token.store';
import { allByTestId, byTestId, settle, typeInto } from '../../../testing/dom';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import type { ApiKey } from '../data/integrations.model';
import { ApiKeysPage } from './api-keys-page';

const KEY: ApiKey = {
  id: 1,
  name: 'old',
  prefix: 'ark_AAAAAAAA',
  scopes: ['read'],
  created_at: '2026-06-01T00:00:00Z',
  last_used_at: null,
};

describe('ApiKeysPage', () => {
  let harness: RouterTestingHarness;
  let httpMock: HttpTestingController;
  let el: HTMLElement;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([{ path: 'settings/api-keys', component: ApiKeysPage }]),
      ],
    });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/settings/api-keys', ApiKeysPage);
    el = harness.routeNativeElement as HTMLElement;
    httpMock.expectOne(`${TEST_API}/auth/api-keys`).flush([KEY]);
    await settle(harness.fixture);
  });
  afterEach(() => httpMock.verify());

  it('should list keys by name and prefix, never a whole key', () => {
    const rows = allByTestId(el, 'api-key-row');
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain('old');
    expect(rows[0].textContent).toContain('ark_AAAAAAAA');
    expect(rows[0].textContent).toContain('never used');
  });

  it('should show a new key once, with a copy button, and forget it when dismissed', async () => {
    typeInto(byTestId<HTMLInputElement>(el, 'api-key-name')!, 'ci');
    byTestId<HTMLInputElement>(el, 'api-key-write')!.click();
    byTestId<HTMLFormElement>(el, 'api-key-form')!.dispatchEvent(new Event('submit'));
    const req = httpMock.expectOne(`${TEST_API}/auth/api-keys`);
    expect(req.request.body).toEqual({ name: 'ci', scopes: ['read', 'write'] });
    req.flush({
      ...KEY,
      id: 2,
      name: 'ci',
      key: 'ark_SECRET',
      prefix: 'ark_SECRETxx',
      scopes: ['read', 'write'],
    });
    await settle(harness.fixture);
    expect(byTestId(el, 'secret-value')!.textContent).toBe('ark_SECRET');
    expect(allByTestId(el, 'api-key-row')).toHaveLength(2);
    byTestId(el, 'secret-done')!.click();
    await settle(harness.fixture);
    expect(byTestId(el, 'secret-reveal')).toBeNull();
    expect(el.textContent).not.toContain('ark_SECRET ');
    expect(el.textContent).not.toContain('ark_SECRET\n');
  });

  it('should revoke a key and say why when it fails', async () => {
    byTestId(el, 'api-key-revoke')!.click();
    httpMock
      .expectOne(`${TEST_API}/auth/api-keys/1`)
      .flush(
        { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'down' },
        { status: 503, statusText: 'x' },
      );
    await settle(harness.fixture);
    expect(byTestId(el, 'api-keys-error')!.textContent).toContain('temporarily unavailable');
    expect(allByTestId(el, 'api-key-row')).toHaveLength(1);
    byTestId(el, 'api-key-revoke')!.click();
    httpMock
      .expectOne(`${TEST_API}/auth/api-keys/1`)
      .flush(null, { status: 204, statusText: 'No Content' });
    await settle(harness.fixture);
    expect(byTestId(el, 'api-keys-empty')).not.toBeNull();
  });
});
