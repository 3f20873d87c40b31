import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../core/config/config.module.js';
import type { AppConfig } from '../../../core/config/config.js';
import { FailFastRedis } from '../../../core/redis/fail-fast-redis.js';
import { RUNTIME, type Runtime } from '../../../core/runtime.js';

/**
 * The scraper's shared state in Redis: robots.txt per host and the per-host politeness clock, so
 * every worker and instance sees the same. Callers fall back to what this process knows while
 * Redis is away.
 */
@Injectable()
export class UploadsRedis extends FailFastRedis {
  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(RUNTIME) runtime: Runtime) {
    super(config, runtime, 'uploads', ['uploads']);
  }
}
