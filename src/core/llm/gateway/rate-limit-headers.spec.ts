import { describe, expect, it } from '@jest/globals';
import { parseResetDuration, rateLimitHints, retryAfterMs } from './rate-limit-headers.js';

describe('rate-limit headers', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['0.5', 500],
    ['soon', undefined],
    ['', undefined],
  ])('reads the reset duration %p as %p ms', (text, ms) => {
    expect(parseResetDuration(text)).toBe(ms);
  });

  it('prefers retry-after-ms, then retry-after in seconds or as a date', () => {
    const h = (entries: Record<string, string>) => new Headers(entries);
    expect(retryAfterMs(h({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(retryAfterMs(h({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(h({}))).toBeUndefined();
  });

  it('reads the remaining budgets and their resets', () => {
    const headers = new Headers({
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1.5s',
      'x-ratelimit-remaining-tokens': '1200',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    expect(rateLimitHints(headers)).toEqual({
      requests: { remaining: 0, resetMs: 1500 },
      tokens: { remaining: 1200, resetMs: 360_000 },
    });
    expect(rateLimitHints(new Headers())).toEqual({});
  });
});
