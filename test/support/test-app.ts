import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { startConveyor, type Conveyor } from '../../src/bootstrap.js';
import { buildConfig, type AppConfig, type Env } from '../../src/core/config/config.js';
import { AppLogger, type LogLevel } from '../../src/core/logging/app-logger.js';
import { QueueRegistry } from '../../src/core/queue/queue-registry.js';
import { adminKeyPath } from '../../src/core/auth/first-admin.service.js';
import { keyedHttp, signIn, type KeyedHttp, type SignedInBrowser, type TestUser } from './http.js';
import { deleteKeysWithPrefix } from './redis-keys.js';

export type { KeyedHttp, SignedInBrowser, TestUser } from './http.js';

export interface TestApp {
  conveyor: Conveyor;
  config: AppConfig;
  /** http://127.0.0.1:<port> of the running app. */
  url: string;
  dataDir: string;
  prefix: string;
  db: DataSource;
  get<T>(token: Type<T> | string | symbol | Parameters<TestApp['conveyor']['app']['get']>[0]): T;
  /** The admin created at first boot (its key read from DATA_DIR/admin-key). */
  user: TestUser;
  /** `t.user.http`: requests that carry the admin's key, e.g. `await t.http.get('/api/keys').expect(200)`. */
  http: KeyedHttp;
  /** A new user (through the API, as the admin) with a key and an http helper of their own. */
  createUser(options?: { admin?: boolean; email?: string }): Promise<TestUser>;
  /** Signs in through the login form: a cookie-keeping agent and the session's CSRF token. */
  signIn(key?: string): Promise<SignedInBrowser>;
  /** Waits until no queue has waiting, active or (non-repeating) delayed jobs. */
  drainQueues(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Env;
  modules?: (Type | DynamicModule)[];
  /** Reuse a data directory (restart tests); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Keep the data directory on close (restart tests). */
  keepData?: boolean;
  prefix?: string;
  /**
   * The admin's key, for an instance that joins another's database (it creates no admin of its
   * own, so there is no DATA_DIR/admin-key to read).
   */
  adminKey?: string;
}

/**
 * Boots the real app exactly as main.ts does (embedded Postgres, the machine's Redis under a key
 * prefix of its own, real HTTP on a free port). One per e2e file.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'conveyor-test-')));
  const prefix = options.prefix ?? `test-${randomUUID().slice(0, 8)}`;
  const config = buildConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    QUEUE_PREFIX: prefix,
    LOG_FORMAT: 'pretty',
    LOG_LEVEL: 'warn',
    RECONCILE_EVERY_SECONDS: '0',
    SHUTDOWN_GRACE_MS: '2000',
    NODE_ENV: 'test',
    // Tests share keys across many requests; the rate-limit tests set their own, lower limits.
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_UPLOADS_PER_MINUTE: '100000',
    RATE_LIMIT_LOGINS_PER_MINUTE: '100000',
    ...options.env,
  });
  const logger = new AppLogger(config.app.log.level, 'pretty', process.stderr);
  const conveyor = await startConveyor(config, { logger, modules: options.modules });
  const app = conveyor.app;
  const url = conveyor.url!;
  let admin: TestUser;
  try {
    const key = options.adminKey ?? (await readFile(adminKeyPath(config), 'utf8')).trim();
    const http = keyedHttp(url, key);
    const me = await http.get('/api/users/me').expect(200);
    admin = { user: me.body as TestUser['user'], key, http };
  } catch (error) {
    await conveyor.stop();
    throw new Error(`the test app has no admin key to use: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let users = 0;
  return {
    conveyor,
    config,
    url,
    dataDir,
    prefix,
    db: app.get<DataSource>(getDataSourceToken()),
    get: (token) => app.get(token),
    user: admin,
    http: admin.http,
    async createUser({ admin: isAdmin = false, email } = {}) {
      users += 1;
      const res = await admin.http
        .post('/api/users')
        .send({
          email: email ?? `user${users}-${randomUUID().slice(0, 8)}@test.local`,
          admin: isAdmin,
        })
        .expect(201);
      const body = res.body as { user: TestUser['user']; key: { key: string } };
      return { user: body.user, key: body.key.key, http: keyedHttp(url, body.key.key) };
    },
    signIn: (key = admin.key) => signIn(url, key),
    drainQueues: (timeoutMs) => drainQueues(app.get(QueueRegistry), timeoutMs),
    async close() {
      await conveyor.stop();
      await deleteKeysWithPrefix(conveyor.runtime.redisUrl, prefix);
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls the queues (every 25 ms) until two consecutive looks find nothing waiting, running or
 * delayed, ignoring repeatable schedules (housekeeping), which are delayed by design.
 */
export async function drainQueues(registry: QueueRegistry, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietLooks = 0;
  while (quietLooks < 2) {
    const busy: string[] = [];
    for (const queue of registry.all()) {
      const counts = await queue.bull.getJobCounts();
      const delayed =
        counts.delayed > 0
          ? (await queue.bull.getDelayed()).filter((job) => !String(job.id).startsWith('repeat:'))
              .length
          : 0;
      const pending = counts.waiting + counts.active + delayed;
      if (pending > 0)
        busy.push(
          `${queue.name}: ${counts.waiting} waiting, ${counts.active} active, ${delayed} delayed`,
        );
    }
    quietLooks = busy.length === 0 ? quietLooks + 1 : 0;
    if (Date.now() > deadline) {
      throw new Error(`queues did not drain within ${timeoutMs} ms (${busy.join('; ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function logLevel(level: LogLevel): Env {
  return { LOG_LEVEL: level };
}
