import { Injectable } from '@nestjs/common';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import { JobHandler, QueueProcessor } from '../../core/queue/job-handler.decorator.js';
import { UploadPipeline } from './upload-pipeline.service.js';
import {
  MESSAGE_QUEUE,
  SCRAPE_QUEUE,
  UPLOADS_QUEUE,
  type MessageJobs,
  type ScrapeJobs,
  type UploadJobs,
} from './uploads.jobs.js';

/** The three steps of an upload, one handler each; the work is in UploadPipeline. */
@QueueProcessor()
@Injectable()
export class UploadsProcessor {
  constructor(private readonly pipeline: UploadPipeline) {}

  @JobHandler(UPLOADS_QUEUE, 'extract')
  extract(job: RunningJob<UploadJobs['extract']>): Promise<string> {
    return this.pipeline.extract(job);
  }

  @JobHandler(SCRAPE_QUEUE, 'scrape')
  scrape(job: RunningJob<ScrapeJobs['scrape']>): Promise<string> {
    return this.pipeline.scrape(job);
  }

  @JobHandler(MESSAGE_QUEUE, 'message')
  message(job: RunningJob<MessageJobs['message']>): Promise<string> {
    return this.pipeline.message(job);
  }
}
