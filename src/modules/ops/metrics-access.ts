import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AppConfig } from '../../config/app-config';
import { bearerToken } from '../auth/guards/jwt-auth.guard';

/** What a scrape request may see: the metrics, a 404 (not served here), or a 401 (token missing or wrong). */
export type MetricsAccess = 'ok' | 'not_found' | 'token_required' | 'token_invalid';

function sameSecret(given: string, expected: string): boolean {
  // hashing first gives equal lengths, so the comparison time says nothing about the token
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * With METRICS_TOKEN set, metrics need `Authorization: Bearer <METRICS_TOKEN>` (compared in
 * constant time). Without it they are open in development/test; in production the api's /metrics
 * answers 404 (`openWithoutToken` lets the worker's separate, internal port stay open).
 */
export function metricsAccess(
  config: Pick<AppConfig, 'metricsToken' | 'isProduction'>,
  req: { headers: IncomingHttpHeaders },
  openWithoutToken = false,
): MetricsAccess {
  const expected = config.metricsToken;
  if (!expected) return config.isProduction && !openWithoutToken ? 'not_found' : 'ok';
  const given = bearerToken(req);
  if (!given) return 'token_required';
  return sameSecret(given, expected) ? 'ok' : 'token_invalid';
}
