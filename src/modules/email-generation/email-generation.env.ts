import { defineSection, env } from '../../core/config/env-spec.js';

export const emailGenerationEnv = defineSection(
  'emailGeneration',
  'Email generation: lead files to personalised cold emails (seed 002)',
  {
    EMAIL_BATCH_SIZE: env.int(
      'Rows per queue job. Each job generates its rows concurrently; the gateway’s limiter paces every call.',
      20,
      { min: 1, max: 100 },
    ),
    EMAIL_CONCURRENCY: env.int(
      'Row batches generated at once by one process (rows in flight = this x EMAIL_BATCH_SIZE). Enough to keep the provider’s rate limit busy: rate x latency.',
      16,
      { min: 1, max: 256 },
    ),
    EMAIL_MAX_TOKENS: env.int('Longest generated email, in tokens.', 220, { min: 50, max: 2000 }),
    EMAIL_ESTIMATE_COMPLETION_TOKENS: env.int(
      'Completion tokens per email assumed by the cost estimate before a job starts.',
      110,
      { min: 1, max: 2000 },
    ),
    EMAIL_PREVIEW_MAX_ROWS: env.int('Most rows a preview generates synchronously.', 10, {
      min: 1,
      max: 50,
    }),
    EMAIL_DEFAULT_SENDER_ROLE: env.string(
      'Who the emails are written as, when a job does not say (the system prompt’s role).',
      'an AI automation specialist who helps companies save time with practical automations',
    ),
    EMAIL_DEFAULT_OFFER: env.optionalString(
      'What the emails offer when a job does not say (e.g. "AI automation for order processing").',
    ),
  },
  (v) => ({
    batchSize: v.EMAIL_BATCH_SIZE,
    concurrency: v.EMAIL_CONCURRENCY,
    maxTokens: v.EMAIL_MAX_TOKENS,
    estimateCompletionTokens: v.EMAIL_ESTIMATE_COMPLETION_TOKENS,
    previewMaxRows: v.EMAIL_PREVIEW_MAX_ROWS,
    defaultSenderRole: v.EMAIL_DEFAULT_SENDER_ROLE,
    defaultOffer: v.EMAIL_DEFAULT_OFFER,
  }),
);
