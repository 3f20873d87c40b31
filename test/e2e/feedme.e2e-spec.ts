import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  feedmeFixture,
  qaExtractionResponder,
  uploadTranscript,
  type FeedmeExampleBody,
  type FeedmeSearchHitBody,
  type FeedmeStatusBody,
  type FeedmeUploadBody,
} from '../support/factories/feedme.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Seed 003 end to end, async mode: the seed's upload and its polling loop, every transcript
// format, and the search over what was extracted. The gateway talks to the fake OpenAI server,
// whose model answers the extraction with the speaker-turn rules and whose embeddings are the
// deterministic feature hashing (issue 8, acceptance 1 and 2).

let t: TestApp;
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 0, respond: qaExtractionResponder });
  t = await startTestApp({ env: llmTestEnv(fake.url) });
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

/**
 * The seed's "Status Polling (Frontend)" loop, as written, with what it leaves implicit filled
 * in: the response body is read as JSON, and the request carries the API key. It records each
 * status seen and each delay slept.
 */
async function pollAsTheSeedDoes(id: string, key: string) {
  const seen: string[] = [];
  const delays: number[] = [];
  let delay = 1000;
  for (;;) {
    const status = (await (
      await fetch(`${t.url}/api/v1/feedme/conversations/${id}/status`, {
        headers: { 'X-API-Key': key },
      })
    ).json()) as FeedmeStatusBody;
    seen.push(status.processing_status);
    if (status.processing_status !== 'processing') return { status, seen, delays };

    delays.push(delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10000); // Max 10 seconds
  }
}

describe('the seed upload and its polling loop (acceptance 1)', () => {
  it('answers 202 with the seed body, and the backoff loop reaches completed', async () => {
    const res = await uploadTranscript(
      t.http,
      await feedmeFixture('chat.txt'),
      'chat.txt',
      'Customer Issue #123',
      true,
    );
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const body = res.body as FeedmeUploadBody;
    expect(body).toMatchObject({
      status: 202,
      processing_status: 'processing',
      message: 'Transcript uploaded successfully. Processing started in background.',
      processing_mode: 'async',
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);

    const { status, seen, delays } = await pollAsTheSeedDoes(body.id, t.user.key);
    expect(status.processing_status).toBe('completed');
    expect(seen[seen.length - 1]).toBe('completed');
    expect(status.examples_extracted).toBe(2);
    delays.forEach((d, i) => expect(d).toBe(Math.min(1000 * 2 ** i, 10000)));

    const examples = (
      await t.http.get(`/api/v1/feedme/conversations/${body.id}/examples`).expect(200)
    ).body as FeedmeExampleBody[];
    expect(examples.map((e) => e.question)).toEqual([
      'How do I reset my password? The login page keeps rejecting it.',
      'Can I export my invoices as PDF files for my accountant?',
    ]);
    expect(examples[0].answer).toContain('Settings > Security');
    expect(examples[0].tags).toContain('account');
    expect(examples[1].tags).toContain('billing');
    expect(examples.every((e) => e.version === 1 && e.source_count === 1)).toBe(true);
  });

  it('reports database, worker, Redis and configuration at the seed health endpoint, without a key', async () => {
    const res = await fetch(`${t.url}/api/v1/feedme/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as Record<string, Record<string, unknown>> & {
      status: string;
    };
    expect(health.status).toBe('healthy');
    expect(health.database).toMatchObject({ status: 'up', vector: true, hnswIndex: true });
    expect(health.worker).toMatchObject({ status: 'up', workers: true });
    expect(health.redis).toMatchObject({ status: 'up' });
    expect(health.configuration).toMatchObject({
      async_processing: true,
      max_file_size_mb: 10,
      llm_mode: 'openai',
    });
  });

  it('finds the extracted example for a reworded question', async () => {
    const res = await t.http
      .post('/api/v1/feedme/search')
      .send({ query: 'I forgot my password, how can I reset it?', top_k: 3, threshold: 0.2 })
      .expect(200);
    const results = (res.body as { results: FeedmeSearchHitBody[] }).results;
    expect(results[0].question).toContain('reset my password');
    expect(results[0].conversation.title).toBe('Customer Issue #123');
    expect(results[0].usage_count).toBe(1);
  });
});
