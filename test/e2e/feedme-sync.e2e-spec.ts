import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  feedmeFixture,
  uploadTranscript,
  type FeedmeStatusBody,
  type FeedmeUploadBody,
} from '../support/factories/feedme.js';
import { KNOWLEDGE_PAIRS, knowledgeTranscript } from '../support/factories/feedme-knowledge.js';
import { ReconcilerService } from '../../src/core/queue/reconciler.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Seed 003 with FEEDME_ASYNC_PROCESSING=false, and the upload rate limit at its seed value (10 a
// minute per key): issue 8, the sync half of acceptance 1, and acceptance 5. Offline gateway.

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    env: {
      FEEDME_ASYNC_PROCESSING: 'false',
      RATE_LIMIT_UPLOADS_PER_MINUTE: '10',
      FEEDME_MAX_FILE_SIZE_MB: '1',
      FEEDME_CHUNK_CHARS: '700',
      FEEDME_CHUNK_OVERLAP_CHARS: '250',
      FEEDME_MAX_EXAMPLES_PER_CONVERSATION: '20',
      FEEDME_EMBEDDING_BATCH_SIZE: '3',
    },
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

describe('limits from the FEEDME_* settings', () => {
  it('reads a long transcript in overlapping chunks, keeps each pair once and at most the configured number', async () => {
    const { http } = await t.createUser();
    const pairs = KNOWLEDGE_PAIRS.slice(0, 25);
    const res = await uploadTranscript(
      http,
      Buffer.from(knowledgeTranscript(pairs)),
      'long.txt',
    ).expect(200);
    const id = (res.body as FeedmeUploadBody).id;
    await http.post(`/api/v1/feedme/conversations/${id}/reprocess`).expect(202);
    await t.drainQueues();
    const detail = (await http.get(`/api/v1/feedme/conversations/${id}`).expect(200))
      .body as FeedmeStatusBody & {
      examples: { question: string }[];
    };
    expect(detail.processing_status).toBe('completed');
    // 25 pairs, FEEDME_MAX_EXAMPLES_PER_CONVERSATION=20: the 20 best are kept, each once.
    expect(detail.examples).toHaveLength(20);
    const questions = detail.examples.map((e) => e.question);
    expect(new Set(questions).size).toBe(20);
    questions.forEach((q) => expect(pairs.map((p) => p.question)).toContain(q));
    // One gateway call per chunk: the transcript (about 2,800 characters) took several.
    // (Usage rows are written in batches every 250 ms: look until they are there.)
    let calls = 0;
    for (const deadline = Date.now() + 5000; calls < 4 && Date.now() < deadline;) {
      const rows: { n: number }[] = await t.db.query(
        `SELECT count(*)::int AS n FROM llm_calls
          WHERE ref_kind = 'feedme-conversation' AND ref_id = $1 AND operation = 'complete-json'`,
        [id],
      );
      calls = rows[0].n;
      if (calls < 4) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  it('refuses a transcript over FEEDME_MAX_FILE_SIZE_MB with 413 and keeps nothing', async () => {
    const { http } = await t.createUser();
    const line = 'Customer: Is this transcript too large for the knowledge base to take in?\n';
    const big = Buffer.from(line.repeat(Math.ceil((1.2 * 1048576) / line.length)));
    const res = await uploadTranscript(http, big, 'big.txt').expect(413);
    expect((res.body as { message: string }).message).toMatch(
      /FEEDME_MAX_FILE_SIZE_MB allows 1 MB/,
    );
    const list = (await http.get('/api/v1/feedme/conversations').expect(200)).body as {
      total: number;
    };
    expect(list.total).toBe(0);
  });
});

describe('crash safety', () => {
  it('re-enqueues a transcript that Postgres says is processing but has no job (lost with Redis)', async () => {
    const { http } = await t.createUser();
    const res = await uploadTranscript(http, await feedmeFixture('chat.txt'), 'lost.txt').expect(
      200,
    );
    const id = (res.body as FeedmeUploadBody).id;
    // As if the process died after recording the work and before its job reached Redis.
    await t.db.query(
      `UPDATE feedme_conversations SET processing_status = 'processing', processing_step = 'queued',
              processing_started_at = now() WHERE id = $1`,
      [id],
    );
    const enqueued = await t.get(ReconcilerService).runAll();
    expect(enqueued.feedme).toBe(1);
    await t.drainQueues();
    const status = (await http.get(`/api/v1/feedme/conversations/${id}/status`).expect(200))
      .body as FeedmeStatusBody;
    expect(status).toMatchObject({ processing_status: 'completed', examples_extracted: 2 });
    // Run again: nothing left to enqueue, and the work is not redone.
    expect((await t.get(ReconcilerService).runAll()).feedme).toBe(0);
  });
});
