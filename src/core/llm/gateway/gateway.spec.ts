import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { buildConfig } from '../../config/config.js';
import { LlmUnavailableError } from '../llm.errors.js';
import { LlmGateway } from './gateway.js';
import { KeyRing } from './key-ring.js';
import { RateLimiter } from './rate-limiter.js';

function gatewayOn(redis: Redis, env: Record<string, string> = {}): LlmGateway {
  const { llm } = buildConfig({ OPENAI_API_KEY: 'sk-unit', ...env });
  const limiter = new RateLimiter(redis, 'unit', {
    rpm: 0,
    tpm: 0,
    dailyRequestCap: 0,
    dailyTokenCap: 0,
  });
  const keys = new KeyRing(llm.apiKeys, redis, (id) => limiter.outKey(id), llm.keyCooldownMs);
  return new LlmGateway(llm, limiter, keys);
}

describe('LlmGateway', () => {
  it('sends nothing when the shared limiter is unreachable, and says so', async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    let sent = 0;
    const error = await gatewayOn(redis)
      .execute({
        operation: 'chat completion',
        models: ['gpt-4o-mini'],
        reserveTokens: 10,
        completionTokens: 5,
        run: async () => {
          sent++;
          return { value: 'never' };
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as Error).message).toMatch(/shared LLM rate limiter \(Redis\) is unavailable/);
    expect(sent).toBe(0);
    redis.disconnect();
  });

  it('backs off with full jitter: random, doubling, capped', () => {
    const redis = new Redis({ lazyConnect: true });
    const gateway = gatewayOn(redis, { LLM_BACKOFF_BASE_MS: '100', LLM_BACKOFF_MAX_MS: '1000' });
    const waits = (retry: number) => Array.from({ length: 500 }, () => gateway.backoffMs(retry));
    expect(Math.max(...waits(1))).toBeLessThanOrEqual(100);
    expect(Math.max(...waits(3))).toBeLessThanOrEqual(400);
    expect(Math.max(...waits(3))).toBeGreaterThan(200);
    expect(Math.max(...waits(10))).toBeLessThanOrEqual(1000);
    expect(Math.min(...waits(10))).toBeLessThan(200);
    redis.disconnect();
  });

  it('tries the requested model first, then LLM_MODELS in order', () => {
    const redis = new Redis({ lazyConnect: true });
    const gateway = gatewayOn(redis, { LLM_MODELS: 'a,b,c' });
    expect(gateway.modelsFor()).toEqual(['a', 'b', 'c']);
    expect(gateway.modelsFor('b')).toEqual(['b', 'a', 'c']);
    expect(gateway.modelsFor('z')).toEqual(['z', 'a', 'b', 'c']);
    redis.disconnect();
  });
});
