import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { App } from './app';
import { AppConfigStore } from './core/config/app-config.store';
import { provideTestApp } from './testing/test-providers';

describe('App', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideTestApp(), provideRouter([])] });
  });

  it('should show the sandbox banner when sandboxMode is on', async () => {
    TestBed.inject(AppConfigStore).set({ apiUrl: 'http://api.test', sandboxMode: true });
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toContain(
      'Sandbox mode: connections go to the local Meta sandbox, not Facebook.',
    );
  });

  it('should show no sandbox banner when sandboxMode is off', async () => {
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    expect(
      (fixture.nativeElement as HTMLElement).querySelector('[data-testid="sandbox-banner"]'),
    ).toBeNull();
  });
});
