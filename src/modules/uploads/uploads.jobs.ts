import { defineQueue } from '../../core/queue/job-catalogue.js';

/**
 * The uploads pipeline's job catalogues (STYLE.md 6): producers (UploadsService, the processors,
 * the reconciler) and handlers import these payload types, so a job enqueued with the wrong field
 * names — the seed's `file_upload_id` for `fileUploadId` — does not compile.
 *
 * Three queues, because each step needs its own limit (Bull adds up concurrency per queue):
 * reading the spreadsheet, scraping (network-bound, SCRAPE_CONCURRENCY) and writing messages (LLM,
 * UPLOADS_MESSAGE_CONCURRENCY). Payloads carry ids plus the run they belong to: a reprocess, a retry
 * or a new template bumps the run, and a job of an older run finds nothing to do.
 */
export interface UploadJobs {
  /** Reads the spreadsheet into rows and websites, then fans out one scrape per website. */
  extract: { uploadId: string; generation: number };
}

export interface ScrapeJobs {
  scrape: { websiteId: string; run: number };
}

export interface MessageJobs {
  message: { websiteId: string; run: number };
}

export const UPLOADS_QUEUE = defineQueue<UploadJobs>('uploads', {
  extract: { concurrency: 2, attempts: 3, backoffMs: 2000 },
});

export const SCRAPE_ATTEMPTS = 3;
export const SCRAPE_QUEUE = defineQueue<ScrapeJobs>('uploads-scrape', {
  scrape: {
    concurrency: (config) => config.uploads.scrape.concurrency,
    attempts: SCRAPE_ATTEMPTS,
    backoffMs: 2000,
  },
});

export const MESSAGE_ATTEMPTS = 4;
export const MESSAGE_QUEUE = defineQueue<MessageJobs>('uploads-message', {
  message: {
    concurrency: (config) => config.uploads.messages.concurrency,
    attempts: MESSAGE_ATTEMPTS,
    backoffMs: 5000,
  },
});

/** Job ids: one live job per unit of work and run (Bull drops a second add with the same id). */
export const jobIds = {
  extract: (uploadId: string, generation: number) => `extract:${uploadId}:${generation}`,
  scrape: (websiteId: string, run: number) => `scrape:${websiteId}:${run}`,
  message: (websiteId: string, run: number) => `message:${websiteId}:${run}`,
};
