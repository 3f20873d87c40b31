// The real app plus one test queue whose jobs take as long as the test says: for shutdown tests
// that need jobs in flight. Run from dist: node dist/test/support/apps/slow-jobs.app.js
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { defineQueue, type RunningJob } from '../../../src/core/queue/job-catalogue.js';
import { JobHandler, QueueProcessor } from '../../../src/core/queue/job-handler.decorator.js';
import { QueueModule } from '../../../src/core/queue/queue.module.js';
import { runMain } from '../../../src/main-runner.js';

export interface SlowJobs {
  /** Sleeps `ms`; with ignoreSignal it does not stop early on shutdown. */
  sleep: { ms: number; ignoreSignal?: boolean };
}

export const SLOW_QUEUE = defineQueue<SlowJobs>('slow', { sleep: { concurrency: 3, attempts: 2 } });

@QueueProcessor()
@Injectable()
class SlowProcessor {
  @JobHandler(SLOW_QUEUE, 'sleep')
  async sleep(job: RunningJob<SlowJobs['sleep']>): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, job.data.ms);
      if (!job.data.ignoreSignal) {
        job.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(job.signal.reason as Error);
        });
      }
    });
  }
}

@Module({ imports: [QueueModule.forFeature(SLOW_QUEUE)], providers: [SlowProcessor] })
class SlowJobsModule {}

await runMain({ modules: [SlowJobsModule] });
