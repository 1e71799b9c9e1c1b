import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import {
  type EnvironmentProviders,
  type Provider,
  provideZonelessChangeDetection,
} from '@angular/core';

import { authInterceptor } from '../core/auth/auth-interceptor';
import { CLOCK } from '../core/clock';
import { AppConfigStore } from '../core/config/app-config.store';
import { errorInterceptor } from '../core/http/error-interceptor';

export const TEST_API = 'http://api.test';
export const TEST_NOW = new Date('2026-06-15T12:00:00Z');

/** HttpClient with the real interceptors against HttpTestingController, a fixed clock and API URL. */
export function provideTestApp(now: Date = TEST_NOW): (Provider | EnvironmentProviders)[] {
  return [
    provideZonelessChangeDetection(),
    provideHttpClient(withInterceptors([authInterceptor, errorInterceptor])),
    provideHttpClientTesting(),
    { provide: CLOCK, useValue: () => now },
    {
      provide: AppConfigStore,
      useFactory: () => {
        const store = new AppConfigStore();
        store.set({ apiUrl: TEST_API, sandboxMode: false });
        return store;
      },
    },
  ];
}
