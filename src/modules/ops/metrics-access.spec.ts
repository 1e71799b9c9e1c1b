import { validateEnv } from '../../config/env.schema';
import { metricsAccess } from './metrics-access';

const TOKEN = 'm'.repeat(40);
const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} });

describe('metricsAccess', () => {
  it('should need the exact METRICS_TOKEN as a bearer when one is set', () => {
    for (const isProduction of [false, true]) {
      const config = { metricsToken: TOKEN, isProduction };
      expect(metricsAccess(config, req())).toBe('token_required');
      expect(metricsAccess(config, req(`Basic ${TOKEN}`))).toBe('token_required');
      expect(metricsAccess(config, req(`Bearer ${TOKEN}x`))).toBe('token_invalid');
      expect(metricsAccess(config, req(`Bearer ${TOKEN.slice(1)}`))).toBe('token_invalid');
      expect(metricsAccess(config, req(`Bearer ${TOKEN}`))).toBe('ok');
    }
  });

  it('should be 404 in production without a token, open in development, and open on the worker port', () => {
    expect(metricsAccess({ metricsToken: undefined, isProduction: true }, req())).toBe('not_found');
    expect(metricsAccess({ metricsToken: undefined, isProduction: true }, req(`Bearer ${TOKEN}`))).toBe('not_found');
    expect(metricsAccess({ metricsToken: undefined, isProduction: false }, req('Bearer anything'))).toBe('ok');
    expect(metricsAccess({ metricsToken: undefined, isProduction: true }, req(), true)).toBe('ok');
  });

  it('should refuse a METRICS_TOKEN shorter than 32 characters in production only', () => {
    const prod = { ENVIRONMENT: 'production', SECRET_KEY: 's'.repeat(48), METRICS_TOKEN: 'short-but-8+' };
    expect(() => validateEnv(prod)).toThrow(/METRICS_TOKEN: at least 32 characters/);
    expect(() => validateEnv({ ...prod, METRICS_TOKEN: TOKEN })).not.toThrow(/METRICS_TOKEN/);
    expect(
      validateEnv({ ENVIRONMENT: 'development', SECRET_KEY: 's'.repeat(48), METRICS_TOKEN: 'short-but-8+' }).METRICS_TOKEN,
    ).toBe('short-but-8+');
  });
});
