import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesMentioning, spawnConveyor } from '../support/conveyor-process.js';
import {
  emailResponder,
  jobStatus,
  leadsCsv,
  uploadLeads,
  type EmailJobBody,
} from '../support/factories/leads.js';
import { startFakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { keyedHttp, type KeyedHttp } from '../support/http.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';

// Acceptance 2 of issue 5: the real process (dist/src/main.js) is killed with SIGKILL while a
// 1,000-row job is about 40% done and started again on the same data and Redis. The job completes,
// every row has exactly one email, and the fake server saw at most 1,000 + (rows in flight at the
// kill) generation calls: a row stored before the kill is never generated again.

const REDIS = 'redis://127.0.0.1:6379';
const ROWS = 1000;
const CONCURRENCY = 4;
const BATCH = 10;

interface RowBody {
  row_index: number;
  status: string;
  generated_email: string | null;
  finished_at: string | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function allRows(http: KeyedHttp, id: string): Promise<RowBody[]> {
  const rows: RowBody[] = [];
  for (let offset = 0; offset < ROWS; offset += 200) {
    const res = await http
      .get(`/api/email-generation/jobs/${id}/rows?limit=200&offset=${offset}`)
      .expect(200);
    rows.push(...(res.body as RowBody[]));
  }
  return rows;
}

describe('SIGKILL at ~40% of a 1,000-row job', () => {
  it('completes after a restart without generating a stored row again', async () => {
    // 150 ms a call and 2,400 calls a minute: the job takes ~25 s, so the kill lands mid-way.
    const fake = await startFakeOpenAI({ latencyMs: 150, respond: emailResponder });
    const dataDir = await mkdtemp(join(tmpdir(), 'emails-restart-'));
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const env = {
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      QUEUE_PREFIX: prefix,
      OPENAI_API_KEY: 'sk-test-restart',
      OPENAI_BASE_URL: fake.url,
      LLM_MODELS: 'gpt-4o-mini',
      LLM_RPM: '2400',
      LLM_TPM: '0',
      LLM_TIMEOUT_MS: '15000',
      EMAIL_CONCURRENCY: String(CONCURRENCY),
      EMAIL_BATCH_SIZE: String(BATCH),
      // A killed process's jobs go back to the queue after ~2 s instead of 30.
      QUEUE_STALLED_SECONDS: '2',
    };
    const first = spawnConveyor('dist/src/main.js', env);
    let second: ReturnType<typeof spawnConveyor> | undefined;
    try {
      const url = await first.ready;
      const key = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
      let http = keyedHttp(url, key);
      const created = await uploadLeads(http, leadsCsv(ROWS), 'restart.csv');

      await until<EmailJobBody>(
        '40% of the rows',
        async () => {
          const status = await jobStatus(http, created.job_id);
          return status.done >= ROWS * 0.4 ? status : undefined;
        },
        120_000,
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const callsBeforeKill = fake.counts.byPath.chat ?? 0;
      await until(
        'the embedded database to stop',
        async () => ((await processesMentioning(dataDir)).length === 0 ? true : undefined),
        20_000,
      );

      // Every row stored before this moment was stored by the killed process.
      const restartedAt = Date.now();
      second = spawnConveyor('dist/src/main.js', env);
      http = keyedHttp(await second.ready, key);
      const done = await until<EmailJobBody>(
        'the job to complete',
        async () => {
          const status = await jobStatus(http, created.job_id);
          return status.status === 'completed' ? status : undefined;
        },
        120_000,
      );
      expect(done).toMatchObject({ total: ROWS, done: ROWS, failed: 0, pending: 0 });

      const rows = await allRows(http, created.job_id);
      expect(rows.map((row) => row.row_index)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
      expect(rows.every((row) => row.status === 'done' && row.generated_email)).toBe(true);

      // Stored before the kill: those rows' results carry a time before the restart.
      const storedBeforeKill = rows.filter(
        (row) => new Date(row.finished_at!).getTime() < restartedAt,
      ).length;
      const inFlight = callsBeforeKill - storedBeforeKill;
      const calls = fake.counts.byPath.chat ?? 0;
      expect(storedBeforeKill).toBeGreaterThanOrEqual(ROWS * 0.4);
      // In flight at most what one process runs at once.
      expect(inFlight).toBeGreaterThanOrEqual(0);
      expect(inFlight).toBeLessThanOrEqual(CONCURRENCY * BATCH);
      expect(calls).toBeLessThanOrEqual(ROWS + inFlight);
      // After the restart, exactly the rows not stored were generated, each once.
      expect(calls - callsBeforeKill).toBe(ROWS - storedBeforeKill);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      if (second) await second.exited;
      await fake.stop();
      await deleteKeysWithPrefix(REDIS, prefix);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
