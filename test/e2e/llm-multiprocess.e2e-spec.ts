// Acceptance 3: two gateway instances in separate processes share one Redis and one limit.
// Each pushes 300 calls; combined limit 600 RPM. The fake server counts arrivals: in every
// 10-second window at most 5% above the limit, and over the run at least 90% of it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';

const SCRIPT = 'dist/test/support/apps/llm-load.app.js';
const RPM = 600;
const CALLS_EACH = 300;
const WINDOW_MS = 10_000;

let fake: FakeOpenAI;
const prefix = `test-mp-${randomUUID().slice(0, 8)}`;
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build first`);
  fake = await startFakeOpenAI({ latencyMs: 50 });
});

afterAll(async () => {
  await fake?.stop();
  await deleteKeysWithPrefix('redis://127.0.0.1:6379', prefix);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function runInstance(label: string, dataDir: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, String(CALLS_EACH), '20', label], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        QUEUE_PREFIX: prefix,
        HTTP: 'false',
        WORKERS: 'false',
        RECONCILE_EVERY_SECONDS: '0',
        OPENAI_API_KEY: 'sk-shared-key',
        OPENAI_API_KEYS: '',
        OPENAI_BASE_URL: fake.url,
        LLM_RPM: String(RPM),
        LLM_TPM: '0',
        LLM_MODELS: 'gpt-4o-mini',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`${label} exited ${code}:\n${out}\n${err}`));
        return;
      }
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

describe('two gateway processes sharing one Redis', () => {
  it('hold the combined RPM limit in every 10 s window and use at least 90% of it', async () => {
    for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), 'conveyor-mp-')));
    const [a, b] = await Promise.all([runInstance('a', dirs[0]), runInstance('b', dirs[1])]);
    expect(a).toMatchObject({ calls: CALLS_EACH, failed: 0, recorded: CALLS_EACH });
    expect(b).toMatchObject({ calls: CALLS_EACH, failed: 0, recorded: CALLS_EACH });

    const arrivals = fake.requests.map((r) => r.at).sort((x, y) => x - y);
    expect(arrivals).toHaveLength(2 * CALLS_EACH);
    // Sliding windows (stricter than fixed ones): the most requests any 10 s saw.
    let busiest = 0;
    for (let i = 0, j = 0; i < arrivals.length; i++) {
      while (arrivals[i] - arrivals[j] >= WINDOW_MS) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    const perWindowLimit = (RPM * WINDOW_MS) / 60_000;
    const durationMs = arrivals[arrivals.length - 1] - arrivals[0];
    // n requests paced at the limit span n-1 intervals.
    const achievedRpm = ((arrivals.length - 1) / durationMs) * 60_000;
    const tookMs = { a: a.ms, b: b.ms };
    console.log(
      `multi-process limiter: busiest 10 s window ${busiest} requests (limit ${perWindowLimit}, ` +
        `${((busiest / perWindowLimit - 1) * 100).toFixed(1)}% over); achieved ${achievedRpm.toFixed(1)} RPM ` +
        `of ${RPM} (${((achievedRpm / RPM) * 100).toFixed(1)}%) over ${(durationMs / 1000).toFixed(1)} s; ` +
        `instances took ${JSON.stringify(tookMs)} ms`,
    );
    expect(busiest).toBeLessThanOrEqual(perWindowLimit * 1.05);
    expect(achievedRpm).toBeGreaterThanOrEqual(RPM * 0.9);
    // Both instances really shared the work.
    expect(fake.counts.total).toBe(2 * CALLS_EACH);
  }, 180_000);
});
