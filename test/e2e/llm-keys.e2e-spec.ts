// Several API keys: each has its own budget, a key answering 401 leaves the rotation (and shows
// in /health), quota on every key stops work with QuotaExhaustedError, and the daily cap.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { fingerprint } from '../../src/core/llm/gateway/key-ring.js';
import { QuotaExhaustedError } from '../../src/core/llm/llm.errors.js';
import { LlmService } from '../../src/core/llm/llm.service.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { chatRequest, llmTestEnv, restoreKey } from '../support/llm-test-kit.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ALPHA = 'sk-alpha-0001';
const BETA = 'sk-beta-0002';
const DAILY_CAP = 40;

let fake: FakeOpenAI;
let t: TestApp;
let llm: LlmService;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [ALPHA, BETA] });
  t = await startTestApp({
    env: llmTestEnv(fake.url, {
      OPENAI_API_KEY: '',
      OPENAI_API_KEYS: `${ALPHA},${BETA}`,
      // 60 requests a minute per key: one a second, so the load visibly spreads over both.
      LLM_RPM: '60',
      LLM_DAILY_REQUEST_CAP: String(DAILY_CAP),
    }),
  });
  llm = t.get(LlmService);
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

beforeEach(() => fake.reset());

async function llmHealth(): Promise<Record<string, unknown>> {
  const res = await request(t.url).get('/health');
  return res.body.llm as Record<string, unknown>;
}

describe('several API keys', () => {
  it('spreads calls over the keys, each paced by its own budget', async () => {
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, () => llm.complete(chatRequest())));
    // One request a second per key: four calls take one second with two keys, not three.
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
    expect(fake.counts.byKey).toEqual({ [ALPHA]: 2, [BETA]: 2 });
  });

  it('a key answering 401 leaves the rotation, the call goes on with the next, /health shows it', async () => {
    fake.inject({ fault: { type: 'unauthorized' }, match: { key: ALPHA } });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await llm.complete(chatRequest()));
    expect(results.every((r) => r.provider === 'openai')).toBe(true);
    // At most the one refused request went to ALPHA; everything after uses BETA.
    expect(fake.counts.byKey[ALPHA] ?? 0).toBeLessThanOrEqual(1);
    expect(fake.counts.byKey[BETA]).toBe(3);
    const health = await llmHealth();
    expect(health).toMatchObject({ status: 'up', mode: 'openai' });
    expect(health.keys).toEqual([
      expect.objectContaining({
        id: fingerprint(ALPHA),
        label: 'key 1 of 2',
        state: 'unauthorized',
        reason: expect.stringMatching(/Incorrect API key/),
      }),
      expect.objectContaining({ id: fingerprint(BETA), state: 'active' }),
    ]);
    expect(JSON.stringify(health)).not.toContain(ALPHA);
  });

  it('with every key refused, /health reports the LLM down and calls fail clearly', async () => {
    fake.inject({ fault: { type: 'unauthorized' }, match: { key: BETA } });
    await expect(llm.complete(chatRequest())).rejects.toThrow(
      /every API key was refused by the provider \(401\)/,
    );
    const res = await request(t.url).get('/health').expect(503);
    expect(res.body.failing).toContain('llm: every API key was refused by the provider (401)');
    await restoreKey(t, ALPHA);
    await restoreKey(t, BETA);
    fake.reset();
    await request(t.url).get('/health').expect(200);
  });

  it('insufficient_quota on one key moves to the other; on both it is QuotaExhaustedError', async () => {
    fake.inject({ fault: { type: 'insufficient-quota' }, match: { key: ALPHA } });
    const ok = await llm.complete(chatRequest());
    expect(ok.provider).toBe('openai');
    fake.inject({ fault: { type: 'insufficient-quota' }, match: { key: BETA } });
    const error = await llm.complete(chatRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect((error as QuotaExhaustedError).reason).toBe('insufficient_quota');
    // Each key was asked once for it: no retries.
    expect(
      fake.requests
        .filter((r) => r.status === 429)
        .map((r) => r.key)
        .sort(),
    ).toEqual([ALPHA, BETA].sort());
    const health = await llmHealth();
    expect(health).toMatchObject({ status: 'up', quotaExhausted: true });
    await restoreKey(t, ALPHA);
    await restoreKey(t, BETA);
  });

  it('stops at the daily request cap with QuotaExhaustedError and the reset time', async () => {
    let error: unknown;
    for (let i = 0; i < DAILY_CAP + 1 && !error; i++) {
      error = await llm.complete(chatRequest({ model: 'gpt-4.1-nano' })).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    const quota = error as QuotaExhaustedError;
    expect(quota.reason).toBe('daily_request_cap');
    expect(quota.message).toMatch(/LLM_DAILY_REQUEST_CAP/);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(quota.resetAt).toEqual(midnight);
    expect((await llmHealth()).today).toMatchObject({ requests: DAILY_CAP });
  }, 90_000);
});
