import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { RUNTIME, type Runtime } from '../../runtime.js';
import { LlmGateway } from './gateway.js';
import { KeyRing } from './key-ring.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Builds the openai gateway when a key is configured (null in offline mode) on a Redis
 * connection of its own, under the deployment's key prefix (QUEUE_PREFIX), and closes it last.
 */
@Injectable()
export class LlmGatewayHost implements OnApplicationShutdown {
  private readonly logger = new Logger('LlmGateway');
  readonly gateway: LlmGateway | null = null;
  private readonly redis: Redis | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(RUNTIME) runtime: Runtime) {
    if (config.llm.mode !== 'openai') return;
    let lastError = 0;
    this.redis = new Redis(runtime.redisUrl, {
      // Limiter scripts from concurrent calls share round trips.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 3,
      connectionName: 'conveyor-llm',
    });
    this.redis.on('error', (error: Error) => {
      if (Date.now() - lastError < 10_000) return;
      lastError = Date.now();
      this.logger.warn(`Redis (rate limiter): ${error.message}`);
    });
    const limiter = new RateLimiter(this.redis, config.queue.prefix, {
      rpm: config.llm.rpm,
      tpm: config.llm.tpm,
      dailyRequestCap: config.llm.dailyRequestCap,
      dailyTokenCap: config.llm.dailyTokenCap,
    });
    const keys = new KeyRing(
      config.llm.apiKeys,
      this.redis,
      (id) => limiter.outKey(id),
      config.llm.keyCooldownMs,
    );
    this.gateway = new LlmGateway(config.llm, limiter, keys, (message) =>
      this.logger.warn(message),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
