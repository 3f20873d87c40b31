import { Injectable } from '@nestjs/common';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import { JobHandler, QueueProcessor } from '../../core/queue/job-handler.decorator.js';
import { FeedmePipeline } from './feedme-pipeline.service.js';
import { FEEDME_QUEUE, type FeedmeJobs } from './feedme.jobs.js';

/** The transcript job; the work is in FeedmePipeline. */
@QueueProcessor()
@Injectable()
export class FeedmeProcessor {
  constructor(private readonly pipeline: FeedmePipeline) {}

  @JobHandler(FEEDME_QUEUE, 'process')
  process(job: RunningJob<FeedmeJobs['process']>): Promise<string> {
    return this.pipeline.process(job);
  }
}
