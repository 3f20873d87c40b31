import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../../../../test/support/redis-keys.js';
import {
  DailyCapReachedError,
  NoLaneAvailableError,
  RateLimiter,
  type RateLimits,
} from './rate-limiter.js';

// A real Redis (the machine's, under a prefix of its own): the limiter is Lua in Redis.
const REDIS_URL = 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const secondProcess = new Redis(REDIS_URL);
let prefix: string;

const limits = (overrides: Partial<RateLimits> = {}): RateLimits => ({
  rpm: 0,
  tpm: 0,
  dailyRequestCap: 0,
  dailyTokenCap: 0,
  ...overrides,
});

beforeEach(() => {
  prefix = `test-rl-${randomUUID().slice(0, 8)}`;
});

afterAll(async () => {
  await deleteKeysWithPrefix(REDIS_URL, 'test-rl-');
  redis.disconnect();
  secondProcess.disconnect();
});

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, performance.now() - started];
}

describe('RateLimiter', () => {
  it('paces requests evenly at the configured RPM, across limiter instances', async () => {
    // Two limiters on one Redis stand for two processes.
    const a = new RateLimiter(redis, prefix, limits({ rpm: 600 }));
    const b = new RateLimiter(secondProcess, prefix, limits({ rpm: 600 }));
    const [permits, ms] = await timed(() =>
      Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquire(['k1'], 'm', 1))),
    );
    // 102 ms apart (100 ms and 2% headroom): the 12th starts ~1120 ms after the first.
    expect(ms).toBeGreaterThanOrEqual(1100);
    expect(ms).toBeLessThan(1700);
    const waits = permits.map((p) => p.waitedMs).sort((x, y) => x - y);
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThanOrEqual(90);
    expect(waits[11]).toBeGreaterThanOrEqual(1100);
  });

  it('spends the token budget: a second large request waits for the budget to refill', async () => {
    const limiter = new RateLimiter(redis, prefix, limits({ tpm: 6000 }));
    const first = await limiter.acquire(['k1'], 'm', 600);
    expect(first.waitedMs).toBe(0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('enough')), 300);
    // 600 more tokens need 6 s at 100 tokens/s: still waiting when aborted.
    await expect(limiter.acquire(['k1'], 'm', 600, controller.signal)).rejects.toThrow('enough');
  });

  it('settling with the real usage gives unused tokens back', async () => {
    const limiter = new RateLimiter(redis, prefix, limits({ tpm: 6000 }));
    const permit = await limiter.acquire(['k1'], 'm', 1200);
    await limiter.settle(permit, 100);
    const [next, ms] = await timed(() => limiter.acquire(['k1'], 'm', 400));
    expect(next.waitedMs).toBe(0);
    expect(ms).toBeLessThan(100);
  });

  it('a pause holds back every caller of that key and model until it ends', async () => {
    const limiter = new RateLimiter(redis, prefix, limits({ rpm: 6000 }));
    const before = Date.now();
    await limiter.pause('k1', 'm', 600);
    // What of the pause may already have passed before the caller asks (a loaded machine).
    const passed = Date.now() - before;
    const [permit, ms] = await timed(() => limiter.acquire(['k1'], 'm', 1));
    expect(ms + passed).toBeGreaterThanOrEqual(590);
    expect(permit.waitedMs + passed).toBeGreaterThanOrEqual(590);
    // Another model on the same key was not rate limited.
    const [, other] = await timed(() => limiter.acquire(['k1'], 'other', 1));
    expect(other).toBeLessThan(100);
  });

  it('a caller already waiting for its slot re-queues when a pause arrives meanwhile', async () => {
    const limiter = new RateLimiter(redis, prefix, limits({ rpm: 120 }));
    await limiter.acquire(['k1'], 'm', 1);
    await limiter.acquire(['k1'], 'm', 1);
    const waiting = timed(() => limiter.acquire(['k1'], 'm', 1)); // slot ~500 ms out
    await new Promise((r) => setTimeout(r, 100));
    await limiter.pause('k1', 'm', 1200);
    const [, ms] = await waiting;
    expect(ms).toBeGreaterThanOrEqual(1250);
  });

  it('spreads load over keys and skips a key that is out of rotation', async () => {
    const limiter = new RateLimiter(redis, prefix, limits({ rpm: 60 }));
    const lanes = await Promise.all(
      Array.from({ length: 2 }, () => limiter.acquire(['k1', 'k2'], 'm', 1)),
    );
    // One a second per key: the second call takes the other key instead of waiting.
    expect(lanes.map((p) => p.waitedMs)).toEqual([0, 0]);
    expect(lanes.map((p) => p.lane).sort()).toEqual(['k1', 'k2']);
    await redis.set(limiter.outKey('k1'), 'unauthorized');
    await redis.set(limiter.outKey('k2'), 'unauthorized');
    await expect(limiter.acquire(['k1', 'k2'], 'm', 1)).rejects.toBeInstanceOf(
      NoLaneAvailableError,
    );
  });

  it('stops at the daily request and token caps with the reset time', async () => {
    const limiter = new RateLimiter(
      redis,
      prefix,
      limits({ dailyRequestCap: 2, dailyTokenCap: 1000 }),
    );
    await limiter.acquire(['k1'], 'm', 10);
    await limiter.acquire(['k1'], 'm', 10);
    const error = await limiter.acquire(['k1'], 'm', 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DailyCapReachedError);
    expect((error as DailyCapReachedError).cap).toBe('requests');
    expect((error as DailyCapReachedError).resetAt.getTime()).toBeGreaterThan(Date.now());
    const tokens = new RateLimiter(redis, `${prefix}-t`, limits({ dailyTokenCap: 1000 }));
    await tokens.acquire(['k1'], 'm', 900);
    await expect(tokens.acquire(['k1'], 'm', 200)).rejects.toMatchObject({ cap: 'tokens' });
    expect(await tokens.today()).toEqual({ requests: 1, tokens: 900 });
  });

  it("tightens to the provider's remaining budget until its reset", async () => {
    const limiter = new RateLimiter(redis, prefix, limits({ rpm: 6000 }));
    let before = Date.now();
    await limiter.tighten('k1', 'm', { requests: { remaining: 0, resetMs: 400 } });
    let passed = Date.now() - before; // of the budget's time, before the caller asks
    const [, paused] = await timed(() => limiter.acquire(['k1'], 'm', 1));
    expect(paused + passed).toBeGreaterThanOrEqual(390);
    // 2 requests left for the next 1.2 s: one every 600 ms instead of every 10 ms.
    before = Date.now();
    await limiter.tighten('k1', 'm', { requests: { remaining: 2, resetMs: 1200 } });
    passed = Date.now() - before;
    const [, ms] = await timed(async () => {
      for (let i = 0; i < 3; i++) await limiter.acquire(['k1'], 'm', 1);
    });
    expect(ms + passed).toBeGreaterThanOrEqual(550);
    expect(limiter.wouldTighten({ requests: { remaining: 5000, resetMs: 60 } })).toBe(false);
  });
});
