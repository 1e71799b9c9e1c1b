import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';

import { TokenStore } from '../auth/token.store';
import { ApiError } from './api-error';

const SESSION_ENDED = new Set(['AUTH_TOKEN_INVALID', 'AUTH_REQUIRED']);

/**
 * Turns `{ statusCode, code, message }` error bodies into ApiError; an ended session
 * clears the token and sends the user to /login (coming back here afterwards).
 */
export const errorInterceptor: HttpInterceptorFn = (req, next) => {
  const router = inject(Router);
  const tokens = inject(TokenStore);
  return next(req).pipe(
    catchError((err: unknown) => {
      if (!(err instanceof HttpErrorResponse)) return throwError(() => err);
      const apiError = ApiError.fromHttp(err);
      if (apiError.status === 401 && SESSION_ENDED.has(apiError.code)) {
        tokens.clear();
        const current = router.url;
        if (!current.startsWith('/login')) {
          const returnUrl = current && current !== '/' ? current : undefined;
          void router.navigate(['/login'], { queryParams: { returnUrl } });
        }
      }
      return throwError(() => apiError);
    }),
  );
};
