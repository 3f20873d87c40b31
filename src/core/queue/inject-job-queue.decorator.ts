import { Inject } from '@nestjs/common';
import type { AnyQueueCatalogue } from './job-catalogue.js';
import { jobQueueToken } from './queue.module.js';

/** `@InjectJobQueue(EMAIL_QUEUE) private readonly jobs: JobQueue<EmailJobs>` */
export const InjectJobQueue = (catalogue: AnyQueueCatalogue): ParameterDecorator =>
  Inject(jobQueueToken(catalogue));
