import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  emailResponder,
  jobStatus,
  leadsCsv,
  uploadLeads,
  type EmailJobBody,
} from '../support/factories/leads.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { TestRedisServer } from '../support/private-redis-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Acceptance 3 of issue 5: Redis is flushed (FLUSHALL on a private redis-server, never the shared
// one) while a job runs. Every queued job is gone; Postgres still says which rows are pending, and
// the reconciler (every RECONCILE_EVERY_SECONDS) queues them again: the job completes with every row.

const ROWS = 600;
let redis: TestRedisServer;
let fake: FakeOpenAI;
let t: TestApp;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  fake = await startFakeOpenAI({ latencyMs: 100, respond: emailResponder });
  t = await startTestApp({
    env: {
      ...llmTestEnv(fake.url, { LLM_TIMEOUT_MS: '15000', LLM_RPM: '6000' }),
      REDIS_URL: redis.url,
      REDIS_EMBEDDED: 'never',
      RECONCILE_EVERY_SECONDS: '1',
      EMAIL_CONCURRENCY: '4',
      EMAIL_BATCH_SIZE: '10',
    },
  });
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
  await redis?.kill();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis flushed mid-job', () => {
  it('completes every row through the reconciler', async () => {
    const created = await uploadLeads(t.http, leadsCsv(ROWS), 'flushed.csv');
    await until(
      'a quarter of the rows',
      async () => ((await jobStatus(t.http, created.job_id)).done >= ROWS / 4 ? true : undefined),
      60_000,
    );
    const client = new Redis(redis.url);
    try {
      await client.flushall();
      expect(await client.dbsize()).toBeLessThan(50);
    } finally {
      client.disconnect();
    }
    const before = await jobStatus(t.http, created.job_id);
    expect(before.done).toBeLessThan(ROWS);

    const done = await until<EmailJobBody>(
      'the job to complete',
      async () => {
        const status = await jobStatus(t.http, created.job_id);
        return status.status === 'completed' ? status : undefined;
      },
      90_000,
    );
    expect(done).toMatchObject({ done: ROWS, failed: 0, pending: 0 });
    const rows = (
      await t.http
        .get(`/api/email-generation/jobs/${created.job_id}/rows?status=done&limit=200`)
        .expect(200)
    ).body as { generated_email: string }[];
    expect(rows.every((row) => row.generated_email.length > 0)).toBe(true);
    // Each row was generated once or, if its call was under way at the flush (4 ranges of 10
    // rows at most), twice at most.
    expect(fake.counts.byPath.chat).toBeLessThanOrEqual(ROWS + 40);
  }, 150_000);
});
