import { type ComponentFixture, TestBed } from '@angular/core/testing';

import { byTestId, settle } from '../../../testing/dom';
import { aPublishingLimit } from '../../../testing/reels.fixtures';
import { provideTestApp } from '../../../testing/test-providers';
import { QuotaLine } from './quota-line';

describe('QuotaLine', () => {
  let fixture: ComponentFixture<QuotaLine>;
  let el: HTMLElement;
  const line = (): string | null =>
    byTestId(el, 'reel-quota')?.textContent?.replace(/\s+/g, ' ').trim() ?? null;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideTestApp()] });
    fixture = TestBed.createComponent(QuotaLine);
    el = fixture.nativeElement as HTMLElement;
  });

  it('should say how many posts of the quota the last 24 h used', async () => {
    fixture.componentRef.setInput('limit', aPublishingLimit({ quota_usage: 12, quota_total: 100 }));
    await settle(fixture);
    expect(line()).toBe('12 of 100 posts in the last 24 h');
    expect(byTestId(el, 'reel-quota-full')).toBeNull();
  });

  it('should name the window Meta reports when it is not a day', async () => {
    fixture.componentRef.setInput(
      'limit',
      aPublishingLimit({ quota_usage: 0, quota_total: 25, quota_duration_seconds: 5400 }),
    );
    await settle(fixture);
    expect(line()).toBe('0 of 25 posts in the last 90 min');
  });

  it('should warn that new reels wait when the quota is used up', async () => {
    fixture.componentRef.setInput(
      'limit',
      aPublishingLimit({ quota_usage: 100, quota_total: 100 }),
    );
    await settle(fixture);
    expect(line()).toBe(
      '100 of 100 posts in the last 24 h · limit reached: new reels wait until older posts leave the 24 h window',
    );
  });

  it('should say the limit is unavailable when it could not be read, and nothing before', async () => {
    await settle(fixture);
    expect(line()).toBeNull();
    fixture.componentRef.setInput('unavailable', true);
    await settle(fixture);
    expect(line()).toBe('Publishing limit unavailable right now');
  });
});
