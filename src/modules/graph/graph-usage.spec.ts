import { parseUsageHeaders } from './graph-usage';

const headers = (h: Record<string, string>) => new Headers(h);

describe('parseUsageHeaders', () => {
  it('should return undefined when no usage header is present', () => {
    expect(parseUsageHeaders(headers({}))).toBeUndefined();
  });

  it('should report the highest percentage when only X-App-Usage is present', () => {
    const usage = parseUsageHeaders(headers({ 'X-App-Usage': '{"call_count":28,"total_cputime":25,"total_time":61}' }));
    expect(usage).toEqual({
      app: { callCount: 28, totalCputime: 25, totalTime: 61 },
      businessUseCase: [],
      highestPercent: 61,
      regainAccessMinutes: 0,
    });
  });

  it('should combine both headers and keep the longest regain time when several buckets are reported', () => {
    const usage = parseUsageHeaders(
      headers({
        'X-App-Usage': '{"call_count":10,"total_cputime":5,"total_time":5}',
        'X-Business-Use-Case-Usage': JSON.stringify({
          '17841405822304914': [
            { type: 'instagram', call_count: 96, total_cputime: 45, total_time: 30, estimated_time_to_regain_access: 3 },
          ],
          '134895793791914': [
            { type: 'pages', call_count: 12, total_cputime: 100, total_time: 2, estimated_time_to_regain_access: 12 },
          ],
        }),
      }),
    );
    expect(usage?.highestPercent).toBe(100);
    expect(usage?.regainAccessMinutes).toBe(12);
    expect(usage?.businessUseCase.map((b) => [b.id, b.type])).toEqual([
      ['17841405822304914', 'instagram'],
      ['134895793791914', 'pages'],
    ]);
  });

  it('should ignore a header when its JSON is malformed', () => {
    const usage = parseUsageHeaders(
      headers({ 'X-App-Usage': '{not json', 'X-Business-Use-Case-Usage': '{"1":[{"type":"pages","call_count":"40"}]}' }),
    );
    expect(usage?.app).toBeUndefined();
    expect(usage?.highestPercent).toBe(40);
  });
});
