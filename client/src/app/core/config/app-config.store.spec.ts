import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';

import { AppConfigStore } from './app-config.store';

describe('AppConfigStore', () => {
  let store: AppConfigStore;
  let httpMock: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(AppConfigStore);
    httpMock = TestBed.inject(HttpTestingController);
  });

  it('should use the apiUrl and sandboxMode from /config.json when it loads', async () => {
    const p = store.load();
    httpMock
      .expectOne('/config.json')
      .flush({ apiUrl: 'https://api.example.com/', sandboxMode: true });
    await p;
    expect(store.apiUrl()).toBe('https://api.example.com');
    expect(store.sandboxMode()).toBe(true);
  });

  it('should turn Instagram Login off only when the server says so', () => {
    store.set({ apiUrl: 'https://api.example.com' });
    expect(store.instagramLogin()).toBe(true);
    store.set({ apiUrl: 'https://api.example.com', instagramLogin: false });
    expect(store.instagramLogin()).toBe(false);
  });

  it('should keep working with defaults when /config.json is missing', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const p = store.load();
    httpMock.expectOne('/config.json').flush('nope', { status: 404, statusText: 'Not Found' });
    await p;
    expect(store.apiUrl()).toBe('http://localhost:8000');
    expect(store.sandboxMode()).toBe(false);
  });
});
