// The LLM gateway over real HTTP: the real app and SDK against the fake OpenAI server, with the
// machine's Redis for the shared limiter and the embedded database for usage accounting.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  LlmAbortedError,
  LlmInvalidOutputError,
  LlmRequestError,
  LlmStreamTruncatedError,
  LlmUnavailableError,
  QuotaExhaustedError,
} from '../../src/core/llm/llm.errors.js';
import { LlmService } from '../../src/core/llm/llm.service.js';
import { LlmGatewayHost } from '../../src/core/llm/gateway/gateway-host.js';
import { fingerprint } from '../../src/core/llm/gateway/key-ring.js';
import { weightExtractionSchema } from '../../src/core/llm/llm-task-schemas.js';
import { EMBEDDING_DIMENSIONS } from '../../src/core/llm/embedding-dimensions.js';
import { cosineSimilarity } from '../../src/core/llm/offline/feature-hashing.js';
import { countPromptTokens } from '../../src/core/llm/tokens.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import {
  chatRequest,
  drain,
  llmTestEnv,
  restoreKey,
  until,
  weightRequest,
} from '../support/llm-test-kit.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let fake: FakeOpenAI;
let t: TestApp;
let llm: LlmService;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  t = await startTestApp({ env: llmTestEnv(fake.url, { LLM_EMBEDDING_BATCH_SIZE: '128' }) });
  llm = t.get(LlmService);
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

beforeEach(() => fake.reset());

function statuses(): (number | undefined)[] {
  return fake.requests.map((r) => r.status);
}

describe('complete', () => {
  it('answers through the SDK, with model, provider, usage, cost and attempts; accounted per ref', async () => {
    const ownerId = randomUUID();
    const job = randomUUID();
    const row = randomUUID();
    const request = chatRequest({
      ownerId,
      ref: { kind: 'email-row', id: row, parent: { kind: 'email-job', id: job } },
    });
    const result = await llm.complete(request);
    expect(result.text).toMatch(/^Fake answer 1 from gpt-4o-mini/);
    expect(result).toMatchObject({
      model: 'gpt-4o-mini',
      provider: 'openai',
      finishReason: 'stop',
      attempts: 1,
      usage: { promptTokens: countPromptTokens(request.messages), estimated: false },
    });
    expect(result.usage.totalTokens).toBe(
      result.usage.promptTokens + result.usage.completionTokens,
    );
    // gpt-4o-mini: $0.15 in / $0.60 out per 1M tokens.
    const cost = (result.usage.promptTokens * 0.15 + result.usage.completionTokens * 0.6) / 1e6;
    expect(result.costUsd).toBeCloseTo(cost, 6);
    expect(fake.counts.byKey).toEqual({ 'sk-test-one': 1 });
    expect(fake.counts.byModel).toEqual({ 'gpt-4o-mini': 1 });

    await llm.complete({
      ...request,
      ref: { kind: 'email-row', id: randomUUID(), parent: { kind: 'email-job', id: job } },
    });
    const rowTotals = await llm.usageByRef({ kind: 'email-row', id: row });
    expect(rowTotals).toMatchObject({
      calls: 1,
      failedCalls: 0,
      totalTokens: result.usage.totalTokens,
    });
    const jobTotals = await llm.usageByRef({ kind: 'email-job', id: job });
    expect(jobTotals.calls).toBe(2);
    expect(jobTotals.costUsd).toBeGreaterThan(0);
    const [stored] = await t.db.query(
      `SELECT owner_id, task, operation, provider, model, outcome, attempts, latency_ms, key_id
         FROM llm_calls WHERE ref_id = $1`,
      [row],
    );
    expect(stored).toMatchObject({
      owner_id: ownerId,
      task: 'generic',
      operation: 'complete',
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'ok',
      attempts: 1,
    });
    expect(stored.key_id).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(stored)).not.toContain('sk-test-one');
  });

  it('refuses a bad request before sending anything, naming the problem', async () => {
    await expect(llm.complete(chatRequest({ ownerId: 'user-42' }))).rejects.toThrow(
      /ownerId must be a uuid, got "user-42"/,
    );
    await expect(llm.complete(chatRequest({ messages: [] }))).rejects.toThrow(
      /messages must be a non-empty array/,
    );
    await expect(
      llm.complete({ task: 'email', messages: chatRequest().messages } as never),
    ).rejects.toThrow(/the "email" task needs its input/);
    expect(fake.counts.total).toBe(0);
  });

  it('retries 500, 503 and a reset connection, then answers', async () => {
    fake.inject({ fault: { type: 'server-error', status: 500 }, times: 1 });
    fake.inject({ fault: { type: 'server-error', status: 503 }, times: 1 });
    fake.inject({ fault: { type: 'connection-reset' }, times: 1 });
    const result = await llm.complete(chatRequest());
    expect(result.attempts).toBe(4);
    expect(statuses()).toEqual([500, 503, 0, 200]);
  });

  it('abandons a hung request at the timeout (acceptance 4) and retries it', async () => {
    fake.inject({ fault: { type: 'hang' }, times: 1 });
    const result = await llm.complete(chatRequest());
    expect(result.attempts).toBe(2);
    const [hung] = fake.requests;
    await until(() => hung.closedAt);
    const abandonedAfter = hung.closedAt! - hung.at;
    // LLM_TIMEOUT_MS=1000, within 10% (the clock starts as the request leaves the gateway).
    expect(abandonedAfter).toBeGreaterThanOrEqual(900);
    expect(abandonedAfter).toBeLessThanOrEqual(1100);
    console.log(`hung request abandoned after ${abandonedAfter} ms (timeout 1000 ms)`);
  });

  it('never sends more than LLM_MAX_ATTEMPTS requests, and says what failed', async () => {
    fake.inject({ fault: { type: 'server-error', status: 503 } });
    const error = await llm.complete(chatRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).message).toMatch(
      /failed after 4 attempts \(LLM_MAX_ATTEMPTS=4\); last: .*503: The engine is currently overloaded/,
    );
    expect(fake.counts.total).toBe(4);
  });

  it('fails at once on a 400, naming the model and the provider message', async () => {
    fake.inject({ fault: { type: 'bad-request', message: "Invalid value for 'temperature'." } });
    const error = await llm.complete(chatRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmRequestError);
    expect((error as Error).message).toBe(
      "gpt-4o-mini rejected the request (400): Invalid value for 'temperature'.",
    );
    expect(fake.counts.total).toBe(1);
  });

  it('insufficient_quota is QuotaExhaustedError with zero retries', async () => {
    fake.inject({ fault: { type: 'insufficient-quota' } });
    const error = await llm.complete(chatRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error).toMatchObject({ reason: 'insufficient_quota', retryable: false });
    expect((error as Error).message).toMatch(/You exceeded your current quota/);
    expect(fake.counts.total).toBe(1);
    // The key is out for LLM_KEY_COOLDOWN_MINUTES: the next call does not even try.
    await expect(llm.complete(chatRequest())).rejects.toBeInstanceOf(QuotaExhaustedError);
    expect(fake.counts.total).toBe(1);
    await restoreKey(t, 'sk-test-one');
  });

  it('aborts when the caller aborts, without retrying', async () => {
    fake.inject({ fault: { type: 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job cancelled')), 200);
    const started = performance.now();
    const error = await llm
      .complete(chatRequest({ signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmAbortedError);
    expect((error as Error).message).toMatch(/job cancelled/);
    expect(performance.now() - started).toBeLessThan(900);
    expect(fake.counts.total).toBe(1);
  });
});

describe('model fallback', () => {
  it('a missing model hands over to the next; the result names the model that answered', async () => {
    const result = await llm.complete(chatRequest({ model: 'gpt-imaginary' }));
    expect(result.model).toBe('gpt-4o-mini');
    expect(fake.requests.map((r) => [r.model, r.status])).toEqual([
      ['gpt-imaginary', 404],
      ['gpt-4o-mini', 200],
    ]);
    // Remembered: the next call goes straight to a model that exists.
    fake.reset();
    await llm.complete(chatRequest({ model: 'gpt-imaginary' }));
    expect(fake.counts.byModel).toEqual({ 'gpt-4o-mini': 1 });
  });

  it('a persistently rate-limited model hands over to the next after LLM_FALLBACK_AFTER_FAILURES', async () => {
    fake.inject({
      fault: { type: 'rate-limit', retryAfterMs: 30 },
      match: { model: 'gpt-4o-mini' },
    });
    const result = await llm.complete(chatRequest());
    expect(result.model).toBe('gpt-4.1-nano');
    expect(result.attempts).toBe(3);
    expect(fake.requests.map((r) => `${r.model}:${r.status}`)).toEqual([
      'gpt-4o-mini:429',
      'gpt-4o-mini:429',
      'gpt-4.1-nano:200',
    ]);
  });
});

describe('the shared rate limiter', () => {
  it('a 429 with retry-after: 2 makes the next call of any caller wait >= 2 s (acceptance 2)', async () => {
    fake.inject({ fault: { type: 'rate-limit', retryAfterSeconds: 2 }, times: 1 });
    const first = llm.complete(chatRequest({ model: 'gpt-4o' }));
    // Another caller, starting once the gateway has taken in the 429.
    const limiter = t.get(LlmGatewayHost).gateway!.limiter;
    const lane = fingerprint('sk-test-one');
    while ((await limiter.pausedFor(lane, 'gpt-4o')) === 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const rateLimitedAt = fake.requests[0].endedAt!;
    const second = await llm.complete(chatRequest({ model: 'gpt-4o' }));
    await first;
    const later = fake.requests.slice(1);
    expect(later).toHaveLength(2);
    for (const request of later) expect(request.at - rateLimitedAt).toBeGreaterThanOrEqual(2000);
    expect(second.queuedMs).toBeGreaterThanOrEqual(1900);
    console.log(
      `after a 429 with retry-after: 2, the next requests arrived ${later.map((r) => r.at - rateLimitedAt).join(' and ')} ms later`,
    );
  });

  it('counts prompt tokens, reserves maxTokens for the answer and settles to the real usage', async () => {
    const limiter = t.get(LlmGatewayHost).gateway!.limiter;
    const before = (await limiter.today()).tokens;
    const result = await llm.complete(chatRequest({ maxTokens: 500 }));
    // The reservation (prompt + 500) is corrected to what the provider reported.
    let after = (await limiter.today()).tokens;
    for (let i = 0; i < 100 && after - before !== result.usage.totalTokens; i++) {
      await new Promise((r) => setTimeout(r, 5));
      after = (await limiter.today()).tokens;
    }
    expect(after - before).toBe(result.usage.totalTokens);
    expect(result.usage.totalTokens).toBeLessThan(500);
  });

  it('x-ratelimit headers with no budget left hold the next call until the reset', async () => {
    fake.inject({
      fault: {
        type: 'headers',
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1.2s' },
      },
      times: 1,
    });
    await llm.complete(chatRequest({ model: 'gpt-4.1-nano' }));
    await llm.complete(chatRequest({ model: 'gpt-4.1-nano' }));
    const [a, b] = fake.requests;
    expect(b.at - a.endedAt!).toBeGreaterThanOrEqual(1150);
  });
});

describe('completeJson', () => {
  it('asks for the schema as response_format and returns the typed value', async () => {
    fake.setResponder(() => ({ json: { unit_weight_grams: 2500 } }));
    const result = await llm.completeJson(weightRequest('Weight: 2.5 kg'), weightExtractionSchema);
    fake.setResponder(undefined);
    expect(result.value).toEqual({ unit_weight_grams: 2500 });
    expect(result.reasked).toBe(false);
    expect(fake.requests.map((r) => [r.path, r.status])).toEqual([['chat', 200]]);
  });

  it('sends a strict JSON schema the provider can enforce', async () => {
    let seen: unknown;
    fake.setResponder((req) => {
      seen = req.responseFormat;
      return { json: { unit_weight_grams: null } };
    });
    await llm.completeJson(weightRequest('no weight'), weightExtractionSchema);
    fake.setResponder(undefined);
    expect(seen).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'weight-extraction_answer',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            unit_weight_grams: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }] },
          },
          required: ['unit_weight_grams'],
          additionalProperties: false,
        },
      },
    });
  });

  it('re-asks once with the validation error when the answer does not match', async () => {
    const asked: string[] = [];
    fake.setResponder((req) => {
      asked.push(req.messages[req.messages.length - 1].content);
      return req.index === 1
        ? { content: '{"unit_weight_grams": "heavy"}' }
        : { json: { unit_weight_grams: 1200 } };
    });
    const ref = { kind: 'article', id: randomUUID() };
    const result = await llm.completeJson(
      weightRequest('Weight 1.2 kg', { ref }),
      weightExtractionSchema,
    );
    fake.setResponder(undefined);
    expect(result.value).toEqual({ unit_weight_grams: 1200 });
    expect(result.reasked).toBe(true);
    expect(result.attempts).toBe(2);
    expect(asked[1]).toMatch(/does not match the required JSON schema/);
    expect(asked[1]).toMatch(/expected number, received string/);
    expect(asked[1]).toMatch(/unit_weight_grams/);
    const totals = await llm.usageByRef(ref);
    expect(totals).toMatchObject({ calls: 2, failedCalls: 1 });
  });

  it('gives up after the one re-ask with the validation error and the answer', async () => {
    fake.setResponder(() => ({ content: 'The weight is about two kilos.' }));
    const error = await llm
      .completeJson(weightRequest('Weight 2 kg'), weightExtractionSchema)
      .catch((e: unknown) => e);
    fake.setResponder(undefined);
    expect(error).toBeInstanceOf(LlmInvalidOutputError);
    expect((error as LlmInvalidOutputError).text).toBe('The weight is about two kilos.');
    expect((error as Error).message).toMatch(/also after one re-ask: not valid JSON/);
    expect(fake.counts.total).toBe(2);
  });

  it('retries transport errors without re-asking', async () => {
    fake.inject({ fault: { type: 'server-error' }, times: 1 });
    fake.setResponder(() => ({ json: { unit_weight_grams: 5 } }));
    const result = await llm.completeJson(weightRequest('5 g'), weightExtractionSchema);
    fake.setResponder(undefined);
    expect(result).toMatchObject({ value: { unit_weight_grams: 5 }, reasked: false, attempts: 2 });
    expect(fake.requests.every((r) => r.path === 'chat')).toBe(true);
    expect(fake.counts.total).toBe(2);
  });

  it('works with any zod schema, nested and optional fields included', async () => {
    const schema = z.object({
      subject: z.string(),
      tags: z.array(z.string()),
      note: z.string().optional(),
    });
    const result = await llm.completeJson(chatRequest(), schema, { name: 'email' });
    expect(result.value).toEqual({ subject: 'sample', tags: ['sample'], note: 'sample' });
  });
});

describe('stream', () => {
  it('yields tokens as they arrive and reports time to first token and tokens/s', async () => {
    const stream = llm.stream(chatRequest({ task: 'generic' }));
    const { tokens, error } = await drain(stream);
    expect(error).toBeUndefined();
    const result = await stream.result;
    expect(tokens.length).toBeGreaterThan(5);
    expect(tokens.join('')).toBe(result.text);
    expect(result.text).toMatch(/^Fake answer 1 from gpt-4o-mini/);
    expect(result).toMatchObject({ finishReason: 'stop', provider: 'openai', attempts: 1 });
    expect(result.usage.estimated).toBe(false);
    expect(result.ttftMs).toBeGreaterThan(0);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
  });

  it('retries a failure before the first token', async () => {
    fake.inject({ fault: { type: 'server-error', status: 502 }, times: 1 });
    fake.inject({ fault: { type: 'cut-stream', afterTokens: 0 }, times: 1 });
    const stream = llm.stream(chatRequest());
    const { error } = await drain(stream);
    expect(error).toBeUndefined();
    expect((await stream.result).attempts).toBe(3);
  });

  it.each(['reset', 'end'] as const)(
    'a stream cut after its first tokens (%s) is reported as truncated, with the partial text, never retried',
    async (mode) => {
      fake.inject({ fault: { type: 'cut-stream', afterTokens: 3, mode }, times: 1 });
      const ref = { kind: 'chat-message', id: randomUUID() };
      const stream = llm.stream(chatRequest({ ref }));
      const { tokens, error } = await drain(stream);
      expect(tokens).toHaveLength(3);
      expect(error).toBeInstanceOf(LlmStreamTruncatedError);
      expect((error as LlmStreamTruncatedError).text).toBe(tokens.join(''));
      expect((error as Error).message).toMatch(/truncated after \d+ tokens/);
      await expect(stream.result).rejects.toBe(error);
      expect(fake.counts.total).toBe(1);
      expect(await llm.usageByRef(ref)).toMatchObject({ calls: 1, failedCalls: 1 });
      const [row] = await t.db.query(`SELECT outcome, error FROM llm_calls WHERE ref_id = $1`, [
        ref.id,
      ]);
      expect(row.outcome).toBe('truncated');
    },
  );
  it('a stream that goes silent is abandoned at the timeout and reported as truncated', async () => {
    fake.inject({ fault: { type: 'cut-stream', afterTokens: 2, mode: 'stall' }, times: 1 });
    const stream = llm.stream(chatRequest());
    const { tokens, error } = await drain(stream);
    expect(tokens).toHaveLength(2);
    expect(error).toBeInstanceOf(LlmStreamTruncatedError);
    expect((error as Error).message).toMatch(/no new token within 1000 ms/);
    const [stalled] = fake.requests;
    await until(() => stalled.closedAt);
    expect(stalled.closedAt! - stalled.at).toBeGreaterThanOrEqual(900);
    expect(stalled.closedAt! - stalled.at).toBeLessThan(1200);
    expect(fake.counts.total).toBe(1);
  });

  it('stops reading the provider when the consumer stops early', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    fake.inject({
      fault: { type: 'reply', reply: { content: long, tokensPerSecond: 100 } },
      times: 1,
    });
    const ref = { kind: 'chat-message', id: randomUUID() };
    const stream = llm.stream(chatRequest({ ref }));
    const seen: string[] = [];
    for await (const token of stream) {
      seen.push(token);
      if (seen.length === 2) break;
    }
    await expect(stream.result).rejects.toBeInstanceOf(LlmAbortedError);
    // The fake sees the connection go away before it could finish the answer.
    await until(() => fake.requests[0].closedAt);
    expect(fake.requests[0].closedAt).toBeDefined();
    expect(fake.requests[0].endedAt).toBeUndefined();
    const [row] = await llm
      .usageByRef(ref)
      .then(() => t.db.query(`SELECT outcome FROM llm_calls WHERE ref_id = $1`, [ref.id]));
    expect(row.outcome).toBe('aborted');
  });
});

describe('embed', () => {
  it('embeds in batches, one fixed-size vector per text, paraphrases close', async () => {
    const texts = Array.from({ length: 300 }, (_, i) => `support question number ${i}`);
    texts[0] = 'How do I reset my password?';
    texts[1] = 'Steps for resetting a forgotten password';
    texts[2] = 'Which countries do you ship furniture to?';
    const result = await llm.embed(texts, { ref: { kind: 'transcript', id: randomUUID() } });
    expect(result.vectors).toHaveLength(300);
    for (const v of result.vectors) expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(fake.counts.byPath).toEqual({ embeddings: 3 });
    expect(result).toMatchObject({
      model: 'text-embedding-3-small',
      provider: 'openai',
      attempts: 3,
    });
    const [a, b, c] = result.vectors;
    expect(cosineSimilarity(a, b)).toBeGreaterThan(cosineSimilarity(a, c) + 0.2);
  });

  it('retries a failed embeddings batch like any call', async () => {
    fake.inject({
      fault: { type: 'server-error', status: 503 },
      match: { path: 'embeddings' },
      times: 1,
    });
    const result = await llm.embed(['one text', 'another text']);
    expect(result.vectors).toHaveLength(2);
    expect(result.attempts).toBe(2);
    expect(fake.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('refuses an empty text, naming which', async () => {
    await expect(llm.embed(['fine', ' '])).rejects.toThrow(/embed\(\): text 1 is empty/);
  });
});
