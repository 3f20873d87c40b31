import { Injectable } from '@nestjs/common';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import { JobHandler, QueueProcessor } from '../../core/queue/job-handler.decorator.js';
import { EmailGenerationPipeline } from './email-generation.pipeline.js';
import { EMAIL_QUEUE, type EmailGenerationJobs } from './email-generation.jobs.js';

/** The queue's handlers; the work is in EmailGenerationPipeline. */
@QueueProcessor()
@Injectable()
export class EmailGenerationProcessor {
  constructor(private readonly pipeline: EmailGenerationPipeline) {}

  @JobHandler(EMAIL_QUEUE, 'generate')
  generate(job: RunningJob<EmailGenerationJobs['generate']>): Promise<string> {
    return this.pipeline.generate(job);
  }

  @JobHandler(EMAIL_QUEUE, 'resume')
  resume(job: RunningJob<EmailGenerationJobs['resume']>): Promise<string> {
    return this.pipeline.resumeAfterReset(job.data);
  }
}
