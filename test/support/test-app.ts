import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { startConveyor, type Conveyor } from '../../src/bootstrap.js';
import { buildConfig, type AppConfig, type Env } from '../../src/core/config/config.js';
import { AppLogger, type LogLevel } from '../../src/core/logging/app-logger.js';
import { QueueRegistry } from '../../src/core/queue/queue-registry.js';
import { deleteKeysWithPrefix } from './redis-keys.js';

export interface TestApp {
  conveyor: Conveyor;
  config: AppConfig;
  /** http://127.0.0.1:<port> of the running app. */
  url: string;
  dataDir: string;
  prefix: string;
  db: DataSource;
  get<T>(token: Type<T> | string | symbol | Parameters<TestApp['conveyor']['app']['get']>[0]): T;
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
    ...options.env,
  });
  const logger = new AppLogger(config.app.log.level, 'pretty', process.stderr);
  const conveyor = await startConveyor(config, { logger, modules: options.modules });
  const app = conveyor.app;
  return {
    conveyor,
    config,
    url: conveyor.url!,
    dataDir,
    prefix,
    db: app.get<DataSource>(getDataSourceToken()),
    get: (token) => app.get(token),
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
