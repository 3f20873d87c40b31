import type { LoggerService } from '@nestjs/common';
import { join } from 'node:path';
import { BootError } from '../boot-error.js';
import { redact } from '../config/env-spec.js';
import type { AppConfig } from '../config/config.js';
import { PrivateRedis } from './private-redis.js';
import { probeRedis } from './redis-probe.js';

export interface RedisTarget {
  url: string;
  /** Set when the app started (or adopted) its own redis-server and must stop it at shutdown. */
  privateServer?: PrivateRedis;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Finds the Redis to use: REDIS_URL when it answers; otherwise, for a local URL and
 * REDIS_EMBEDDED=auto, a private redis-server; otherwise a BootError saying how to get one.
 */
export async function ensureRedis(config: AppConfig, logger: LoggerService): Promise<RedisTarget> {
  const url = config.queue.redisUrl;
  const probe = await probeRedis(url);
  if (probe.ok) {
    warnAboutEviction(probe.maxmemoryPolicy, logger);
    return { url };
  }
  const local = LOCAL_HOSTS.has(new URL(url).hostname);
  if (!local || config.queue.embeddedRedis === 'never') {
    throw new BootError(
      `cannot reach Redis at ${redact(url)} (${probe.error}); start it or point REDIS_URL at a running Redis`,
    );
  }
  const binary = PrivateRedis.findBinary();
  if (!binary) {
    throw new BootError(
      `nothing answers at ${redact(url)} and redis-server is not installed: install Redis (e.g. apt-get install redis-server, brew install redis) or set REDIS_URL`,
    );
  }
  const privateServer = await PrivateRedis.start(join(config.app.dataDir, 'redis'), binary);
  logger.log(
    `no Redis at ${redact(url)}: using a private redis-server on ${privateServer.url} (data in ${join(config.app.dataDir, 'redis')})`,
    'Boot',
  );
  return { url: privateServer.url, privateServer };
}

function warnAboutEviction(policy: string | null | undefined, logger: LoggerService): void {
  if (policy && policy !== 'noeviction') {
    logger.warn(
      `Redis maxmemory-policy is "${policy}": under memory pressure Redis will evict queued jobs. Set it to "noeviction".`,
      'Boot',
    );
  }
}
