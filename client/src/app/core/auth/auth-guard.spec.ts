import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';

import { provideTestApp } from '../../testing/test-providers';
import { authGuard, guestGuard } from './auth-guard';
import { TokenStore } from './token.store';

@Component({ template: 'page' })
class Page {}

describe('authGuard / guestGuard', () => {
  let router: Router;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([
          { path: 'login', component: Page, canActivate: [guestGuard] },
          { path: 'settings/social-accounts', component: Page, canActivate: [authGuard] },
          { path: 'settings/social-accounts/callback', component: Page, canActivate: [authGuard] },
        ]),
      ],
    });
    router = TestBed.inject(Router);
  });

  it('should send a signed-out user to /login with the page as returnUrl', async () => {
    await router.navigateByUrl('/settings/social-accounts/callback?code=c1&state=s1');
    expect(router.url).toBe(
      '/login?returnUrl=%2Fsettings%2Fsocial-accounts%2Fcallback%3Fcode%3Dc1%26state%3Ds1',
    );
  });

  it('should let a signed-in user through', async () => {
    TestBed.inject(TokenStore).save('jwt', 3600);
    await router.navigateByUrl('/settings/social-accounts');
    expect(router.url).toBe('/settings/social-accounts');
  });

  it('should send a signed-in user away from /login to the settings page', async () => {
    TestBed.inject(TokenStore).save('jwt', 3600);
    await router.navigateByUrl('/login');
    expect(router.url).toBe('/settings/social-accounts');
  });
});
