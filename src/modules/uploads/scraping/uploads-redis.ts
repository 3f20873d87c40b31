import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../../../core/config/config.module.js';
import type { AppConfig } from '../../../core/config/config.js';
import { RUNTIME, type Runtime } from '../../../core/runtime.js';

/**
 * The scraper's shared state in Redis, under QUEUE_PREFIX: robots.txt per host and the per-host
 * politeness clock, so every worker and instance sees the same. Commands fail fast while Redis is
 * away; callers fall back to what this process knows.
 */
@Injectable()
export class UploadsRedis implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  private readonly prefix: string;
  private readonly logger = new Logger('Uploads');
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(RUNTIME) runtime: Runtime) {
    this.prefix = config.queue.prefix;
    this.client = new Redis(runtime.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      connectionName: 'conveyor-uploads',
    });
    this.client.on('error', (error: Error) => this.warn(`Redis: ${error.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect().catch((error: Error) => this.warn(`Redis: ${error.message}`));
  }

  key(...parts: string[]): string {
    return [this.prefix, 'uploads', ...parts].join(':');
  }

  warn(message: string): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(message);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
