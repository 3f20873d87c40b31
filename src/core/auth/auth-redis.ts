import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { FailFastRedis } from '../redis/fail-fast-redis.js';
import { RUNTIME, type Runtime } from '../runtime.js';

/**
 * The Redis connection of the access layer (rate limits, credential-cache invalidation). Every
 * caller has a safe answer for "Redis is down" (see RateLimiter, CredentialEpoch).
 */
@Injectable()
export class AuthRedis extends FailFastRedis {
  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(RUNTIME) runtime: Runtime) {
    super(config, runtime, 'auth');
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
