import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, TestRedisServer } from '../support/private-redis-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

async function healthUntil(
  t: TestApp,
  status: number,
  withinMs: number,
): Promise<request.Response> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const res = await request(t.url).get('/health');
    if (res.status === status) return res;
    if (Date.now() > deadline)
      throw new Error(
        `/health still ${res.status} after ${withinMs} ms: ${JSON.stringify(res.body)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('when the Redis the app depends on dies and comes back', () => {
  let redis: TestRedisServer;
  let t: TestApp;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url, REDIS_EMBEDDED: 'never' } });
  });

  afterAll(async () => {
    await redis.restart().catch(() => undefined);
    await t?.close();
    await redis?.kill();
  });

  it('turns /health into 503 naming redis within 5 s, and back to 200 without a restart', async () => {
    await healthUntil(t, 200, 1000);
    await redis.kill();
    const down = await healthUntil(t, 503, 5000);
    expect(down.body.status).toBe('error');
    expect(down.body.redis.status).toBe('down');
    expect(down.body.failing).toEqual([expect.stringMatching(/^redis: /)]);
    expect(down.body.queues).toBeNull();
    expect(down.body.database.status).toBe('up');

    await redis.restart();
    const up = await healthUntil(t, 200, 5000);
    expect(up.body.failing).toEqual([]);
    expect(up.body.queues).not.toBeNull();
  });
});

describe('when nothing answers at REDIS_URL', () => {
  it('starts a private redis-server with AOF in DATA_DIR/redis and stops it on shutdown', async () => {
    const port = await freePort();
    const t = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    let pid = 0;
    try {
      expect(t.conveyor.runtime.redisEmbedded).toBe(true);
      const res = await request(t.url).get('/health').expect(200);
      expect(res.body.redis).toMatchObject({ status: 'up', embedded: true });
      const state = JSON.parse(readFileSync(join(t.dataDir, 'redis', 'redis.json'), 'utf8')) as {
        pid: number;
        port: number;
      };
      pid = state.pid;
      expect(state.port).not.toBe(port);
      expect(existsSync(join(t.dataDir, 'redis', 'appendonlydir'))).toBe(true);
    } finally {
      await t.close();
    }
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
