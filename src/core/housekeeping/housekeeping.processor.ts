import { Injectable } from '@nestjs/common';
import type { RunningJob } from '../queue/job-catalogue.js';
import { JobHandler, QueueProcessor } from '../queue/job-handler.decorator.js';
import { HousekeepingService, type HousekeepingReport } from './housekeeping.service.js';
import { PLATFORM_QUEUE, type PlatformJobs } from './platform.jobs.js';

@QueueProcessor()
@Injectable()
export class HousekeepingProcessor {
  constructor(private readonly housekeeping: HousekeepingService) {}

  @JobHandler(PLATFORM_QUEUE, 'housekeeping')
  async run(_job: RunningJob<PlatformJobs['housekeeping']>): Promise<HousekeepingReport> {
    return this.housekeeping.run();
  }
}
