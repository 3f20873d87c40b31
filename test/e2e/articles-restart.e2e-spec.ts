import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesMentioning, spawnConveyor } from '../support/conveyor-process.js';
import {
  articleOf,
  competentModel,
  isWeightRequest,
  submitArticle,
  type ArticleBody,
} from '../support/factories/articles.js';
import { startFakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { keyedHttp, type KeyedHttp } from '../support/http.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';

// Crash safety: the real process (dist/src/main.js) is killed with SIGKILL while articles are
// between their weight and their cost model, and started again on the same data and Redis. Every
// article completes, and no weight stored before the kill is asked for again.

const REDIS = 'redis://127.0.0.1:6379';
const ARTICLES = 8;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const detail = async (http: KeyedHttp, id: string) =>
  (await http.get(`/api/articles/${id}`).expect(200)).body as ArticleBody;

describe('SIGKILL between the weight and the cost model', () => {
  it('completes every article after a restart without asking for a stored weight again', async () => {
    const weightRequests = new Map<string, number>();
    const fake = await startFakeOpenAI({
      // Slow enough that the kill lands while cost models are being asked for.
      latencyMs: 1500,
      respond: (req) => {
        if (isWeightRequest(req))
          weightRequests.set(articleOf(req), (weightRequests.get(articleOf(req)) ?? 0) + 1);
        return competentModel(req);
      },
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'articles-restart-'));
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const env = {
      ...llmTestEnv(fake.url, { LLM_TIMEOUT_MS: '10000' }),
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      QUEUE_PREFIX: prefix,
      // A killed process's jobs go back to the queue after ~2 s instead of 30.
      QUEUE_STALLED_SECONDS: '2',
    };
    const first = spawnConveyor('dist/src/main.js', env);
    let second: ReturnType<typeof spawnConveyor> | undefined;
    try {
      const key = (
        await first.ready.then(() => readFile(join(dataDir, 'admin-key'), 'utf8'))
      ).trim();
      let http = keyedHttp(await first.ready, key);
      const ids: string[] = [];
      for (let i = 0; i < ARTICLES; i++) {
        const res = await submitArticle(http, {
          name: `Restart ${i}`,
          spec: Buffer.from(`Restart widget ${i}\nWeight: 2.5 kg\n`),
          fileName: 'spec.txt',
        }).expect(201);
        ids.push(res.body.id as string);
      }
      // Kill once some weights are stored and no article has completed.
      const weighed = await until(
        'stored weights',
        async () => {
          const all = await Promise.all(ids.map((id) => detail(http, id)));
          if (all.some((a) => a.processing_status === 'completed')) throw new Error('too late');
          const stored = all.filter((a) => a.unit_weight !== null);
          return stored.length >= 1 ? stored : undefined;
        },
        30_000,
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      await until(
        'the embedded database to stop',
        async () => ((await processesMentioning(dataDir)).length === 0 ? true : undefined),
        20_000,
      );
      const askedBefore = new Map(
        weighed.map((a) => [a.article_name, weightRequests.get(a.article_name)]),
      );

      second = spawnConveyor('dist/src/main.js', env);
      http = keyedHttp(await second.ready, key);
      const done = await until(
        'every article to complete',
        async () => {
          const all = await Promise.all(ids.map((id) => detail(http, id)));
          return all.every((a) => a.processing_status === 'completed') ? all : undefined;
        },
        90_000,
      );
      for (const article of done) {
        expect(article.unit_weight).toBe(2.5);
        const sum = article.cost_models!.reduce((s, p) => s + p.part, 0);
        expect(Math.abs(sum - 1)).toBeLessThanOrEqual(0.001);
      }
      // A weight stored before the kill was not asked for again.
      for (const [name, count] of askedBefore)
        expect([name, weightRequests.get(name)]).toEqual([name, count]);
      expect(askedBefore.size).toBeGreaterThanOrEqual(1);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      if (second) await second.exited;
      await fake.stop();
      await deleteKeysWithPrefix(REDIS, prefix);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
