import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { TokenStore } from '../../../core/auth/token.store';
import { allByTestId, byTestId, settle, typeInto } from '../../../testing/dom';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import type { WebhookDelivery, WebhookEndpoint } from '../data/integrations.model';
import { WebhooksPage } from './webhooks-page';

const ENDPOINT: WebhookEndpoint = {
  id: 4,
  url: 'https://hooks.example.com/a',
  events: ['connection.revoked'],
  enabled: false,
  disabled_at: '2026-06-14T00:00:00Z',
  disabled_reason: 'Disabled after 15 failed attempts of one delivery.',
  created_at: '2026-06-01T00:00:00Z',
};
const delivery = (over: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id: 'd1',
  event_id: 'e1',
  event: 'connection.revoked',
  status: 'failed',
  attempts: 15,
  last_status_code: 500,
  last_error: 'Answered 500.',
  next_retry_at: null,
  delivered_at: null,
  created_at: '2026-06-13T00:00:00Z',
  ...over,
});

describe('WebhooksPage', () => {
  let harness: RouterTestingHarness;
  let httpMock: HttpTestingController;
  let el: HTMLElement;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([{ path: 'settings/webhooks', component: WebhooksPage }]),
      ],
    });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/settings/webhooks', WebhooksPage);
    el = harness.routeNativeElement as HTMLElement;
    httpMock.expectOne(`${TEST_API}/integrations/webhooks`).flush([ENDPOINT]);
    await settle(harness.fixture);
    httpMock
      .expectOne(`${TEST_API}/integrations/webhooks/4/deliveries`)
      .flush({ deliveries: [delivery()] });
    await settle(harness.fixture);
  });
  afterEach(() => httpMock.verify());

  it('should show each endpoint with its events, whether it is disabled and why, and its recent deliveries', () => {
    expect(byTestId(el, 'webhook-endpoint-url')!.textContent).toBe('https://hooks.example.com/a');
    expect(byTestId(el, 'webhook-disabled')).not.toBeNull();
    expect(el.textContent).toContain('Disabled after 15 failed attempts');
    expect(allByTestId(el, 'webhook-delivery-status').map((n) => n.textContent)).toEqual([
      'failed',
    ]);
  });

  it('should register an endpoint with the ticked events and show its secret once', async () => {
    typeInto(byTestId<HTMLInputElement>(el, 'webhook-url')!, 'https://hooks.example.com/b');
    byTestId<HTMLInputElement>(el, 'event-reel.published')!.click();
    byTestId<HTMLInputElement>(el, 'event-connection.connected')!.click(); // untick
    await settle(harness.fixture);
    byTestId<HTMLFormElement>(el, 'webhook-form')!.dispatchEvent(new Event('submit'));
    const req = httpMock.expectOne(`${TEST_API}/integrations/webhooks`);
    expect(req.request.body).toEqual({
      url: 'https://hooks.example.com/b',
      events: [
        'connection.expiring',
        'connection.needs_reconnect',
        'connection.revoked',
        'connection.recovered',
        'connection.disconnected',
        'reel.published',
      ],
    });
    req.flush({
      ...ENDPOINT,
      id: 5,
      url: 'https://hooks.example.com/b',
      enabled: true,
      disabled_reason: null,
      secret: 'whsec_SHOWN',
    });
    await settle(harness.fixture);
    expect(byTestId(el, 'secret-value')!.textContent).toBe('whsec_SHOWN');
    expect(allByTestId(el, 'webhook-endpoint')).toHaveLength(2);
  });

  it('should send a test event, log it, and show a disabled endpoint on again after a delivered test', async () => {
    byTestId(el, 'webhook-test')!.click();
    httpMock.expectOne(`${TEST_API}/integrations/webhooks/4/test`).flush(
      delivery({
        id: 'd2',
        event: 'webhook.test',
        status: 'delivered',
        attempts: 1,
        last_status_code: 200,
        last_error: null,
      }),
    );
    await settle(harness.fixture);
    expect(allByTestId(el, 'webhook-delivery-status').map((n) => n.textContent)).toEqual([
      'delivered',
      'failed',
    ]);
    expect(byTestId(el, 'webhook-disabled')).toBeNull();
  });

  it('should explain a refused URL', async () => {
    typeInto(byTestId<HTMLInputElement>(el, 'webhook-url')!, 'http://10.0.0.1/x');
    byTestId<HTMLFormElement>(el, 'webhook-form')!.dispatchEvent(new Event('submit'));
    httpMock
      .expectOne(`${TEST_API}/integrations/webhooks`)
      .flush(
        { statusCode: 400, code: 'WEBHOOK_URL_REFUSED', message: 'x' },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle(harness.fixture);
    expect(byTestId(el, 'webhooks-error')!.textContent).toContain('public https address');
  });
});
