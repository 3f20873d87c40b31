import { describe, expect, it } from '@jest/globals';
import type { JobQueue } from '../../core/queue/job-queue.js';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import { JobHandler } from '../../core/queue/job-handler.decorator.js';
import {
  SCRAPE_QUEUE,
  UPLOADS_QUEUE,
  jobIds,
  type ScrapeJobs,
  type UploadJobs,
} from './uploads.jobs.js';

// Seed 000's silent failure: `scrape_websites_task.delay(file_upload_id=..., user_id=...)` against a
// task defined with `fileUploadId, userId`. Here producer and handler share one payload type, so
// the same mistake does not compile (tsc checks this file: `npx tsc --noEmit -p tsconfig.json`).

async function producers(uploads: JobQueue<UploadJobs>, scrapes: JobQueue<ScrapeJobs>) {
  await uploads.add('extract', { uploadId: 'u', generation: 1 });
  // @ts-expect-error the seed's snake_case keyword names are not the payload's fields
  await uploads.add('extract', { file_upload_id: 'u', user_id: 'x' });
  // @ts-expect-error a missing field (the run) is a compile error too
  await scrapes.add('scrape', { websiteId: 'w' });
  // @ts-expect-error and a job name the catalogue does not declare
  await scrapes.add('scrape_websites_task', { websiteId: 'w', run: 1 });
}

class WrongHandler {
  // @ts-expect-error a handler whose parameter does not match the catalogue's payload
  @JobHandler(SCRAPE_QUEUE, 'scrape')
  async scrape(job: RunningJob<{ fileUploadId: string }>): Promise<void> {
    void job;
  }
}

describe('uploads job catalogue', () => {
  it('keys each job by unit of work and run', () => {
    expect(jobIds.scrape('w1', 2)).toBe('scrape:w1:2');
    expect(jobIds.message('w1', 2)).toBe('message:w1:2');
    expect(jobIds.extract('u1', 3)).toBe('extract:u1:3');
    expect(UPLOADS_QUEUE.jobs.extract.attempts).toBe(3);
    expect(typeof producers).toBe('function');
    expect(WrongHandler).toBeDefined();
  });
});
