import type { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';

import { AppConfigStore } from '../config/app-config.store';
import { TokenStore } from './token.store';

/** Adds the Bearer token, but only to our own API: never leak it to another origin. */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const apiUrl = inject(AppConfigStore).apiUrl();
  const token = inject(TokenStore).token();
  const isApi = req.url === apiUrl || req.url.startsWith(`${apiUrl}/`);
  if (!token || !isApi || req.headers.has('Authorization')) return next(req);
  return next(req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }));
};
