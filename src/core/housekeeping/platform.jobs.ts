import { defineQueue } from '../queue/job-catalogue.js';

export interface PlatformJobs {
  housekeeping: { trigger: 'schedule' | 'manual' };
}

export const PLATFORM_QUEUE = defineQueue<PlatformJobs>('platform', {
  housekeeping: { concurrency: 1, attempts: 1, removeOnFail: true },
});
