import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';

import { TokenStore } from './token.store';

/** Signed-in users only; others go to /login and come back afterwards. */
export const authGuard: CanActivateFn = (_route, state) => {
  if (inject(TokenStore).isAuthenticated()) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
};

/** The login and register pages make no sense when already signed in. */
export const guestGuard: CanActivateFn = () => {
  if (!inject(TokenStore).isAuthenticated()) return true;
  return inject(Router).createUrlTree(['/settings/social-accounts']);
};
