import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { featureHashEmbedding } from '../../../src/core/llm/offline/feature-hashing.js';
import { sampleFromSchema, startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ models: ['m1', 'emb'], rateLimit: { rpm: 1000 } });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

function post(path: string, body: unknown, key = 'k1') {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

const chat = (extra: Record<string, unknown> = {}, key?: string) =>
  post(
    '/chat/completions',
    { model: 'm1', messages: [{ role: 'user', content: 'hi' }], ...extra },
    key,
  );

describe('fake OpenAI server', () => {
  it('lists its models and answers a chat completion with usage and rate-limit headers', async () => {
    const models = (await (await fetch(`${fake.url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['m1', 'emb']);
    const res = await chat();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    const body = (await res.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { total_tokens: number };
    };
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });

  it('answers a missing model with 404 model_not_found', async () => {
    const res = await chat({ model: 'nope' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  it('applies faults after N requests, for N requests, per key, and counts per key and model', async () => {
    fake.inject({
      fault: { type: 'server-error', status: 503 },
      after: 1,
      times: 2,
      match: { key: 'k1' },
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat()).status);
    statuses.push((await chat({}, 'k2')).status);
    expect(statuses).toEqual([200, 503, 503, 200, 200]);
    expect(fake.counts.byKey).toEqual({ k1: 4, k2: 1 });
    expect(fake.counts.byModel).toEqual({ m1: 5 });
  });

  it('applies a fault with a probability', async () => {
    fake.inject({ fault: { type: 'server-error' }, probability: 0.5 });
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => (await chat()).status),
    );
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
  });

  it('streams SSE chunks with a finish reason, usage and [DONE]', async () => {
    const res = await chat({ stream: true, stream_options: { include_usage: true } });
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    expect(text).toContain('"finish_reason":"stop"');
    expect(text).toContain('"usage":{');
  });

  it('embeds with the shared feature hashing, as floats or base64', async () => {
    const floats = (await (
      await post('/embeddings', { model: 'emb', input: ['a b', 'c'] })
    ).json()) as {
      data: { embedding: number[] }[];
    };
    expect(floats.data[0].embedding).toEqual(featureHashEmbedding('a b'));
    const b64 = (await (
      await post('/embeddings', {
        model: 'emb',
        input: 'a b',
        encoding_format: 'base64',
        dimensions: 8,
      })
    ).json()) as {
      data: { embedding: string }[];
    };
    const bytes = Buffer.from(b64.data[0].embedding, 'base64');
    const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(decoded).toHaveLength(8);
  });

  it('samples a value that fits a JSON schema', () => {
    expect(
      sampleFromSchema({
        type: 'object',
        properties: {
          n: { anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'null' }] },
          list: { type: 'array', items: { type: 'string' } },
          kind: { enum: ['a', 'b'] },
        },
      }),
    ).toEqual({ n: 0.5, list: ['sample'], kind: 'a' });
  });
});
