import type { Routes } from '@angular/router';

import { authGuard, guestGuard } from './core/auth/auth-guard';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'settings/social-accounts' },
  {
    path: 'login',
    title: 'Sign in · AutoReels',
    canActivate: [guestGuard],
    loadComponent: () => import('./features/auth/pages/login').then((m) => m.Login),
  },
  {
    path: 'register',
    title: 'Create account · AutoReels',
    canActivate: [guestGuard],
    loadComponent: () => import('./features/auth/pages/register').then((m) => m.Register),
  },
  {
    path: 'settings/social-accounts',
    title: 'Instagram accounts · AutoReels',
    canActivate: [authGuard],
    loadComponent: () =>
      import('./features/social-accounts/pages/social-accounts-page').then(
        (m) => m.SocialAccountsPage,
      ),
  },
  {
    path: 'settings/social-accounts/callback',
    title: 'Connecting… · AutoReels',
    canActivate: [authGuard],
    loadComponent: () =>
      import('./features/social-accounts/pages/callback-page').then((m) => m.CallbackPage),
  },
  {
    // Instagram Login's redirect URI: the same page, completing through /social/instagram/callback
    path: 'settings/social-accounts/callback/instagram',
    title: 'Connecting… · AutoReels',
    canActivate: [authGuard],
    data: { loginType: 'instagram' },
    loadComponent: () =>
      import('./features/social-accounts/pages/callback-page').then((m) => m.CallbackPage),
  },
  {
    path: 'settings/api-keys',
    title: 'API keys · AutoReels',
    canActivate: [authGuard],
    loadComponent: () =>
      import('./features/integrations/pages/api-keys-page').then((m) => m.ApiKeysPage),
  },
  {
    path: 'settings/webhooks',
    title: 'Webhooks · AutoReels',
    canActivate: [authGuard],
    loadComponent: () =>
      import('./features/integrations/pages/webhooks-page').then((m) => m.WebhooksPage),
  },
  {
    path: 'settings/social-accounts/:accountId/reels',
    title: 'Reels · AutoReels',
    canActivate: [authGuard],
    loadComponent: () => import('./features/reels/pages/reels-page').then((m) => m.ReelsPage),
  },
  { path: '**', redirectTo: 'settings/social-accounts' },
];
