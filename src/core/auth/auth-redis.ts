import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { RUNTIME, type Runtime } from '../runtime.js';

/**
 * The Redis connection of the access layer (rate limits, credential-cache invalidation), on the
 * Redis boot chose, with keys under QUEUE_PREFIX. Commands fail fast instead of queueing while
 * Redis is away: every caller has a safe answer for "Redis is down" (see RateLimiter, CredentialEpoch).
 */
@Injectable()
export class AuthRedis implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;
  private readonly logger = new Logger('Auth');
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(RUNTIME) runtime: Runtime) {
    this.prefix = config.queue.prefix;
    this.client = createAuthRedisClient(runtime.redisUrl);
    this.client.on('error', (error: Error) => this.warn(`Redis: ${error.message}`));
  }

  /** Connected before the app serves (commands are not queued while disconnected). */
  async onModuleInit(): Promise<void> {
    await this.client.connect().catch((error: Error) => this.warn(`Redis: ${error.message}`));
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** At most one warning a minute: a Redis outage must not flood the log from every request. */
  warn(message: string): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(message);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

export function createAuthRedisClient(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectionName: 'conveyor-auth',
  });
}

/**
 * A counter in Redis that every change to a credential (revoked key, logout, new admin flag)
 * increments. Instances cache looked-up credentials tagged with the counter they saw; a cached
 * entry is used only while the counter is unchanged, so a revoke on any instance (or the CLI)
 * takes effect on every instance at the next request. Null when Redis cannot answer: callers
 * then skip the cache.
 */
export class CredentialEpoch {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async current(): Promise<string | null> {
    try {
      return (await this.redis.get(this.key)) ?? '0';
    } catch {
      return null;
    }
  }

  async bump(): Promise<boolean> {
    try {
      await this.redis.incr(this.key);
      return true;
    } catch {
      return false;
    }
  }
}

export function credentialEpochKey(prefix: string): string {
  return `${prefix}:auth:credential-epoch`;
}
