import { defineQueue } from '../../core/queue/job-catalogue.js';

/**
 * The conversations queue (STYLE.md 6). `generate` writes one answer: the payload is the streaming
 * session's id, and the row in Postgres says what to do. It runs once (attempts: 1): a second run
 * of a stream that had started would repeat tokens the client already has, so a run that finds its
 * stream already `processing` ends it with an `error` event instead (the process died mid-answer).
 * Retries of the model call before the first token are the gateway's (LLM_MAX_ATTEMPTS).
 */
export interface ConversationJobs {
  generate: { streamingSessionId: string };
  cleanup: { trigger: 'schedule' | 'manual' };
}

export const CONVERSATIONS_QUEUE = defineQueue<ConversationJobs>('conversations', {
  generate: {
    concurrency: (config) => config.conversations.concurrency,
    attempts: 1,
    removeOnFail: true,
  },
  cleanup: { concurrency: 1, attempts: 2, backoffMs: 60_000, removeOnFail: true },
});

export const conversationJobIds = {
  generate: (streamingSessionId: string) => `generate:${streamingSessionId}`,
};
