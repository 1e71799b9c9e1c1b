import { Logger } from '@nestjs/common';
import { LifecycleMetrics, MetricsGraphObserver } from './lifecycle-metrics';

async function count(metrics: LifecycleMetrics, name: string): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
}

describe('MetricsGraphObserver: alerting ops on app-level Meta problems', () => {
  let errors: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => errors.mockRestore());

  it.each([
    ['permission' as const, 10, 1],
    ['permission' as const, 200, 1],
    ['permission' as const, 294, 1],
    ['token-invalid' as const, 190, 0],
    ['transient' as const, 2, 0],
    ['bad-request' as const, 368, 0],
  ])('should count %s (code %s) as %s app problem(s), with one structured error line each', async (kind, code, expected) => {
    const metrics = new LifecycleMetrics();
    new MetricsGraphObserver(metrics).onCall({ operation: 'listPages', durationMs: 5, outcome: kind, code });
    expect(await count(metrics, 'autoreels_meta_app_problems_total')).toBe(expected);
    expect(await count(metrics, 'autoreels_meta_errors_total')).toBe(1);
    expect(errors).toHaveBeenCalledTimes(expected);
    if (expected) expect(errors.mock.calls[0][0]).toMatchObject({ alert: 'meta_app_problem', code, operation: 'listPages' });
  });
});
