/** Meta's rate-limit usage headers, parsed (graph-api.md §10). Percentages are 0-100 of the window. */
export interface GraphUsage {
  app?: { callCount: number; totalCputime: number; totalTime: number };
  businessUseCase: Array<{
    /** The business object the bucket belongs to (Page, IG account, …). */
    id: string;
    type: string;
    callCount: number;
    totalCputime: number;
    totalTime: number;
    estimatedTimeToRegainAccessMinutes: number;
  }>;
  /** The binding constraint: the highest percentage across all buckets. */
  highestPercent: number;
  /** Longest `estimated_time_to_regain_access` (minutes) across buckets; 0 when none. */
  regainAccessMinutes: number;
}

export interface HeaderSource {
  get(name: string): string | null;
}

function parseJsonObject(raw: string | null): Record<string, unknown> | undefined {
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // a malformed header must never break the call it rides on
  }
}

function n(v: unknown): number {
  const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(x) ? x : 0;
}

/** Parses `X-App-Usage` and `X-Business-Use-Case-Usage`; undefined when neither is present or readable. */
export function parseUsageHeaders(headers: HeaderSource): GraphUsage | undefined {
  const appRaw = parseJsonObject(headers.get('x-app-usage'));
  const bucRaw = parseJsonObject(headers.get('x-business-use-case-usage'));
  if (!appRaw && !bucRaw) return undefined;

  const app = appRaw
    ? { callCount: n(appRaw.call_count), totalCputime: n(appRaw.total_cputime), totalTime: n(appRaw.total_time) }
    : undefined;
  const businessUseCase: GraphUsage['businessUseCase'] = [];
  for (const [id, entries] of Object.entries(bucRaw ?? {})) {
    if (!Array.isArray(entries)) continue;
    for (const e of entries as unknown[]) {
      if (!e || typeof e !== 'object') continue;
      const r = e as Record<string, unknown>;
      businessUseCase.push({
        id,
        type: typeof r.type === 'string' ? r.type : 'unknown',
        callCount: n(r.call_count),
        totalCputime: n(r.total_cputime),
        totalTime: n(r.total_time),
        estimatedTimeToRegainAccessMinutes: n(r.estimated_time_to_regain_access),
      });
    }
  }
  const percents = [
    ...(app ? [app.callCount, app.totalCputime, app.totalTime] : []),
    ...businessUseCase.flatMap((b) => [b.callCount, b.totalCputime, b.totalTime]),
  ];
  return {
    app,
    businessUseCase,
    highestPercent: Math.max(0, ...percents),
    regainAccessMinutes: Math.max(0, ...businessUseCase.map((b) => b.estimatedTimeToRegainAccessMinutes)),
  };
}
