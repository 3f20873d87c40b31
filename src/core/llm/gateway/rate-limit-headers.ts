/**
 * Reading what the provider says about its limits: `retry-after-ms`, `retry-after` (seconds or an
 * HTTP date) and OpenAI's `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` pairs, whose reset
 * is a duration like "1s", "6m0s", "20ms" or "1h2m3.5s".
 */

export interface HeaderSource {
  get(name: string): string | null;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** "6m0s" -> 360000; "20ms" -> 20; "1.5" (plain seconds) -> 1500; unreadable -> undefined. */
export function parseResetDuration(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  let total = 0;
  let matched = '';
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(part[1]) * UNIT_MS[part[2]];
    matched += part[0];
  }
  return matched.length === text.length && matched.length > 0 ? total : undefined;
}

/** How long the provider asks us to wait, in ms; undefined when it does not say. */
export function retryAfterMs(
  headers: HeaderSource | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BudgetHint {
  remaining: number;
  resetMs: number;
}

/** The provider's view of the remaining request and token budgets, when it sends one. */
export function rateLimitHints(headers: HeaderSource | undefined): {
  requests?: BudgetHint;
  tokens?: BudgetHint;
} {
  if (!headers) return {};
  const read = (kind: 'requests' | 'tokens'): BudgetHint | undefined => {
    const remainingRaw = headers.get(`x-ratelimit-remaining-${kind}`);
    const resetMs = parseResetDuration(headers.get(`x-ratelimit-reset-${kind}`));
    const remaining = Number(remainingRaw);
    if (remainingRaw === null || !Number.isFinite(remaining) || resetMs === undefined)
      return undefined;
    return { remaining: Math.max(0, remaining), resetMs };
  };
  const requests = read('requests');
  const tokens = read('tokens');
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
