import { HttpClient } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { TEST_API, provideTestApp } from '../../testing/test-providers';
import { TokenStore } from './token.store';

describe('authInterceptor', () => {
  let http: HttpClient;
  let httpMock: HttpTestingController;
  let tokens: TokenStore;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideTestApp(), provideRouter([])] });
    http = TestBed.inject(HttpClient);
    httpMock = TestBed.inject(HttpTestingController);
    tokens = TestBed.inject(TokenStore);
  });

  afterEach(() => httpMock.verify());

  it('should add the Bearer token when calling the API while signed in', () => {
    tokens.save('tok-123', 3600);
    http.get(`${TEST_API}/social/accounts`).subscribe();
    const req = httpMock.expectOne(`${TEST_API}/social/accounts`);
    expect(req.request.headers.get('Authorization')).toBe('Bearer tok-123');
    req.flush({});
  });

  it('should send no Authorization header when signed out', () => {
    http.get(`${TEST_API}/auth/me`).subscribe({ error: () => undefined });
    const req = httpMock.expectOne(`${TEST_API}/auth/me`);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });

  it('should not leak the token when calling another origin', () => {
    tokens.save('tok-123', 3600);
    http.get('https://cdn.example.com/pic.json').subscribe();
    http.get('http://api.test.evil.com/x').subscribe();
    const a = httpMock.expectOne('https://cdn.example.com/pic.json');
    const b = httpMock.expectOne('http://api.test.evil.com/x');
    expect(a.request.headers.has('Authorization')).toBe(false);
    expect(b.request.headers.has('Authorization')).toBe(false);
    a.flush({});
    b.flush({});
  });

  it('should send no token when the stored one has expired', () => {
    localStorage.setItem(
      'autoreels.session',
      JSON.stringify({ token: 'old', expiresAt: Date.parse('2020-01-01T00:00:00Z') }),
    );
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideTestApp(), provideRouter([])] });
    TestBed.inject(HttpClient).get(`${TEST_API}/x`).subscribe();
    const req = TestBed.inject(HttpTestingController).expectOne(`${TEST_API}/x`);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });
});
