import { defineQueue } from '../../core/queue/job-catalogue.js';

/**
 * FeedMe's job catalogue (STYLE.md 6). One job per transcript run: read -> extract (LLM, chunk by
 * chunk) -> embed and store (batches of FEEDME_EMBEDDING_BATCH_SIZE). The payload carries the
 * conversation id and its generation: a reprocess bumps the generation, and a job of an older one
 * finds nothing to do.
 */
export interface FeedmeJobs {
  process: { conversationId: string; generation: number };
}

export const FEEDME_QUEUE = defineQueue<FeedmeJobs>('feedme', {
  process: {
    concurrency: (config) => config.feedme.concurrency,
    attempts: 3,
    backoffMs: 5000,
  },
});

export const FEEDME_ATTEMPTS = 3;

export const feedmeJobIds = {
  process: (conversationId: string, generation: number) =>
    `process:${conversationId}:${generation}`,
};
