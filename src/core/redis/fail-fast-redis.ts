import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import type { Runtime } from '../runtime.js';

/**
 * A module's own Redis connection for shared state that is not a queue (rate limits, caches,
 * clocks), on the Redis boot chose, with keys under QUEUE_PREFIX and the module's namespace.
 * Commands fail fast instead of queueing while Redis is away: callers must have a safe answer for
 * "Redis is down". Subclass it per module so each has its own connection name and log context.
 */
export abstract class FailFastRedis implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;
  private readonly logger: Logger;
  private lastWarning = 0;

  protected constructor(
    config: AppConfig,
    runtime: Runtime,
    /** Connection name suffix and log context, e.g. 'auth'. */
    name: string,
    /** Key parts after QUEUE_PREFIX, e.g. ['uploads']; none for platform-wide keys. */
    private readonly namespace: string[] = [],
  ) {
    this.prefix = config.queue.prefix;
    this.logger = new Logger(name.charAt(0).toUpperCase() + name.slice(1));
    this.client = new Redis(runtime.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      connectionName: `conveyor-${name}`,
    });
    this.client.on('error', (error: Error) => this.warn(`Redis: ${error.message}`));
  }

  /** Connected before the app serves (commands are not queued while disconnected). */
  async onModuleInit(): Promise<void> {
    await this.client.connect().catch((error: Error) => this.warn(`Redis: ${error.message}`));
  }

  key(...parts: string[]): string {
    return [this.prefix, ...this.namespace, ...parts].join(':');
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
