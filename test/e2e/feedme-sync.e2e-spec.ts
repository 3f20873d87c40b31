import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  feedmeFixture,
  uploadTranscript,
  type FeedmeStatusBody,
  type FeedmeUploadBody,
} from '../support/factories/feedme.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Seed 003 with FEEDME_ASYNC_PROCESSING=false, and the upload rate limit at its seed value (10 a
// minute per key): issue 8, the sync half of acceptance 1, and acceptance 5. Offline gateway.

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    env: { FEEDME_ASYNC_PROCESSING: 'false', RATE_LIMIT_UPLOADS_PER_MINUTE: '10' },
  });
});

afterAll(async () => {
  await t?.close();
});

describe('sync mode (acceptance 1)', () => {
  it('answers 200 with processing_status pending, and processes on request', async () => {
    const { http } = await t.createUser();
    const res = await uploadTranscript(
      http,
      await feedmeFixture('chat.txt'),
      'chat.txt',
      'Customer Issue #123',
      true,
    ).expect(200);
    const body = res.body as FeedmeUploadBody;
    expect(body).toMatchObject({
      status: 200,
      processing_status: 'pending',
      processing_mode: 'sync',
    });
    await t.drainQueues();
    const status = (await http.get(`/api/v1/feedme/conversations/${body.id}/status`).expect(200))
      .body as FeedmeStatusBody;
    expect(status).toMatchObject({ processing_status: 'pending', examples_extracted: 0 });

    await http.post(`/api/v1/feedme/conversations/${body.id}/reprocess`).expect(202);
    await t.drainQueues();
    const done = (await http.get(`/api/v1/feedme/conversations/${body.id}/status`).expect(200))
      .body as FeedmeStatusBody;
    expect(done).toMatchObject({ processing_status: 'completed', examples_extracted: 2 });
    const health = (await fetch(`${t.url}/api/v1/feedme/health`).then((r) => r.json())) as {
      configuration: Record<string, unknown>;
    };
    expect(health.configuration).toMatchObject({
      async_processing: false,
      rate_limit_per_minute: 10,
      llm_mode: 'offline',
    });
  });
});

describe('the upload rate limit (acceptance 5)', () => {
  it('answers the 11th upload within a minute from one key with 429 and Retry-After', async () => {
    const { http } = await t.createUser();
    const file = await feedmeFixture('chat.txt');
    for (let i = 1; i <= 10; i++) await uploadTranscript(http, file, `chat-${i}.txt`).expect(200);
    const refused = await uploadTranscript(http, file, 'chat-11.txt').expect(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((refused.body as { message: string }).message).toMatch(
      /at most 10 upload requests a minute/,
    );
    // Nothing was stored for the refused upload, and another key is not affected.
    const list = (await http.get('/api/v1/feedme/conversations').expect(200)).body as {
      total: number;
    };
    expect(list.total).toBe(10);
    const other = await t.createUser();
    await uploadTranscript(other.http, file, 'chat.txt').expect(200);
  });
});
