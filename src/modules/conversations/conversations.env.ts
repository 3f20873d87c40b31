import { defineSection, env } from '../../core/config/env-spec.js';

export const conversationsEnv = defineSection(
  'conversations',
  'Conversations: streamed chatbot answers (seed 004)',
  {
    CONVERSATIONS_CONCURRENCY: env.int(
      'Answers generated at once by one process (each is mostly waiting on the model).',
      256,
      { min: 1, max: 2000 },
    ),
    CONVERSATIONS_EVENT_FLUSH_MS: env.int(
      'Token events are written to streaming_events in batches at most this far apart (every stream of the process in one INSERT).',
      50,
      { min: 5, max: 2000 },
    ),
    CONVERSATIONS_ANSWER_TIMEOUT_SECONDS: env.int(
      'Longest time one answer may take from start to done; past it the answer ends with an error event and a failed session.',
      180,
      { min: 5, max: 3600 },
    ),
    CONVERSATIONS_MAX_TOKENS: env.int('Longest answer of one flow, in tokens.', 800, {
      min: 16,
      max: 16000,
    }),
    CONVERSATIONS_HISTORY_MESSAGES: env.int(
      'Earlier messages of the session sent to the model with a new message.',
      12,
      { min: 0, max: 200 },
    ),
    CONVERSATIONS_SSE_HEARTBEAT_SECONDS: env.int(
      'An SSE connection gets a comment line this often when no event is sent, so proxies keep it open.',
      15,
      { min: 1, max: 300 },
    ),
    CONVERSATIONS_POLL_PAGE_SIZE: env.int(
      'Most events one GET /api/stream-events answer returns (has_more says when there are more).',
      1000,
      { min: 10, max: 10000 },
    ),
    CONVERSATIONS_IMAGE_MAX_KB: env.int(
      'Largest image accepted by POST /api/upload-image.',
      10240,
      {
        min: 16,
        max: 51200,
      },
    ),
    CONVERSATIONS_RETENTION_DAYS: env.int(
      'Conversation sessions idle this long are deleted with their messages, streams and events by the cleanup job.',
      30,
      { min: 1, max: 3650 },
    ),
    CONVERSATIONS_EVENT_RETENTION_HOURS: env.int(
      'Events of finished streams older than this are deleted (the answer itself stays with the session).',
      72,
      { min: 1, max: 87600 },
    ),
    CONVERSATIONS_CLEANUP_EVERY_MINUTES: env.int('How often the cleanup job runs.', 60, {
      min: 1,
      max: 10080,
    }),
  },
  (v) => ({
    concurrency: v.CONVERSATIONS_CONCURRENCY,
    eventFlushMs: v.CONVERSATIONS_EVENT_FLUSH_MS,
    answerTimeoutMs: v.CONVERSATIONS_ANSWER_TIMEOUT_SECONDS * 1000,
    maxTokens: v.CONVERSATIONS_MAX_TOKENS,
    historyMessages: v.CONVERSATIONS_HISTORY_MESSAGES,
    heartbeatMs: v.CONVERSATIONS_SSE_HEARTBEAT_SECONDS * 1000,
    pollPageSize: v.CONVERSATIONS_POLL_PAGE_SIZE,
    imageMaxBytes: v.CONVERSATIONS_IMAGE_MAX_KB * 1024,
    retentionMs: v.CONVERSATIONS_RETENTION_DAYS * 86_400_000,
    eventRetentionMs: v.CONVERSATIONS_EVENT_RETENTION_HOURS * 3_600_000,
    cleanupEveryMs: v.CONVERSATIONS_CLEANUP_EVERY_MINUTES * 60_000,
  }),
);
