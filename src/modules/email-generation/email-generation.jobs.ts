import { defineQueue } from '../../core/queue/job-catalogue.js';

/**
 * The email-generation queue's catalogue (STYLE.md 6): producers (the service, the reconciler)
 * and the processor import these payload types, so a payload with the wrong field names does not
 * compile.
 *
 * A `generate` job is a fixed range of rows of one job version: rows
 * [firstRow, firstRow + EMAIL_BATCH_SIZE). Ranges are derived from row indexes, so the same range
 * always has the same job id and a re-enqueue (reconciler, resume, retry) never duplicates one.
 * The handler reloads the range's pending rows: a row already written is skipped.
 */
export interface EmailGenerationJobs {
  generate: { jobId: string; version: number; firstRow: number };
  /** A quota stop with a known reset time resumes the job then. */
  resume: { jobId: string; pausedAt: string };
}

export const GENERATE_ATTEMPTS = 5;
export const EMAIL_QUEUE = defineQueue<EmailGenerationJobs>('email-generation', {
  generate: {
    concurrency: (config) => config.emailGeneration.concurrency,
    attempts: GENERATE_ATTEMPTS,
    backoffMs: 2000,
  },
  resume: { concurrency: 1, attempts: 3, backoffMs: 5000 },
});

export const emailJobIds = {
  generate: (jobId: string, version: number, firstRow: number) =>
    `email:${jobId}:${version}:${firstRow}`,
  resume: (jobId: string, pausedAt: string) => `email-resume:${jobId}:${pausedAt}`,
};
