import { BullModule, getQueueToken } from '@nestjs/bull';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Queue } from 'bull';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { RUNTIME, type Runtime } from '../runtime.js';
import type { AnyQueueCatalogue } from './job-catalogue.js';
import { JobQueue } from './job-queue.js';
import { QueueRegistry } from './queue-registry.js';
import { ReconcilerService } from './reconciler.service.js';
import { WorkerService } from './worker.service.js';

/** Injection token of the typed JobQueue for a catalogue. */
export function jobQueueToken(catalogue: AnyQueueCatalogue): string {
  return `JobQueue:${catalogue.name}`;
}

/**
 * Bull on the Redis boot chose (REDIS_URL, or the private redis-server), with one key prefix per
 * deployment. Modules register their catalogues with QueueModule.forFeature().
 */
@Global()
@Module({})
export class QueueModule {
  static forRoot(): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        DiscoveryModule,
        BullModule.forRootAsync({
          inject: [APP_CONFIG, RUNTIME],
          useFactory: (config: AppConfig, runtime: Runtime) => ({
            url: runtime.redisUrl,
            prefix: config.queue.prefix,
            settings: {
              // A job whose process died is picked up again after about this long (DESIGN.md 3):
              // its lock expires, and the stalled-job check runs as often.
              stalledInterval: config.queue.stalledMs,
              lockDuration: config.queue.stalledMs,
              maxStalledCount: 2,
            },
          }),
        }),
      ],
      providers: [QueueRegistry, WorkerService, ReconcilerService],
      exports: [QueueRegistry, WorkerService, ReconcilerService],
    };
  }

  static forFeature(...catalogues: AnyQueueCatalogue[]): DynamicModule {
    const providers: Provider[] = catalogues.map((catalogue) => ({
      provide: jobQueueToken(catalogue),
      inject: [getQueueToken(catalogue.name), QueueRegistry],
      useFactory: (bull: Queue, registry: QueueRegistry) => {
        const queue = new JobQueue(catalogue as never, bull);
        registry.register(queue);
        return queue;
      },
    }));
    return {
      module: QueueFeatureModule,
      imports: [
        BullModule.registerQueue(...catalogues.map((catalogue) => ({ name: catalogue.name }))),
      ],
      providers,
      exports: providers,
    };
  }
}

/** Holds the queues one module registers; see QueueModule.forFeature. */
@Module({})
export class QueueFeatureModule {}
