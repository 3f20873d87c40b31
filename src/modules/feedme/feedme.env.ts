import { defineSection, env } from '../../core/config/env-spec.js';

/** The seed's FEEDME_* settings (seed 003, "Configuration Options"), plus the few it implies. */
export const feedmeEnv = defineSection(
  'feedme',
  'FeedMe: support transcripts to a searchable Q&A knowledge base (seed 003)',
  {
    FEEDME_ENABLED: env.bool('Serve the FeedMe API and pages.', true),
    FEEDME_ASYNC_PROCESSING: env.bool(
      'true: an upload answers 202 and is processed in the background. false: it answers 200 with status pending, and processing starts with POST .../reprocess.',
      true,
    ),
    FEEDME_MAX_FILE_SIZE_MB: env.int(
      'Largest transcript accepted (the intake also stops at UPLOAD_MAX_TRANSCRIPT_MB).',
      10,
      { min: 1, max: 1024 },
    ),
    FEEDME_SIMILARITY_THRESHOLD: env.number(
      'Default least score (0..1) of a search hit when the request names none.',
      0.7,
      { min: 0, max: 1 },
    ),
    FEEDME_DUPLICATE_THRESHOLD: env.number(
      'Examples whose question embeddings are at least this similar are merged (the older one keeps a source count).',
      0.95,
      { min: 0.5, max: 1 },
    ),
    FEEDME_MAX_EXAMPLES_PER_CONVERSATION: env.int(
      'Most Q&A examples kept from one transcript.',
      20,
      { min: 1, max: 1000 },
    ),
    FEEDME_EMBEDDING_BATCH_SIZE: env.int('Texts per embeddings request and per write.', 10, {
      min: 1,
      max: 2048,
    }),
    FEEDME_QUALITY_THRESHOLD: env.number(
      'Examples scoring below this quality (0..1) are kept but marked low quality, and left out of search unless approved.',
      0.7,
      { min: 0, max: 1 },
    ),
    FEEDME_CHUNK_CHARS: env.int(
      'Long transcripts are sent to the model in chunks of about this many characters.',
      6000,
      { min: 500, max: 200000 },
    ),
    FEEDME_CHUNK_OVERLAP_CHARS: env.int(
      'Characters (whole lines) repeated at the start of the next chunk, so a question and its answer split by a chunk boundary are still seen together.',
      800,
      { min: 0, max: 50000 },
    ),
    FEEDME_CONCURRENCY: env.int('Transcripts processed at once by one process.', 2, {
      min: 1,
      max: 64,
    }),
  },
  (v) => ({
    enabled: v.FEEDME_ENABLED,
    asyncProcessing: v.FEEDME_ASYNC_PROCESSING,
    maxFileBytes: v.FEEDME_MAX_FILE_SIZE_MB * 1024 * 1024,
    similarityThreshold: v.FEEDME_SIMILARITY_THRESHOLD,
    duplicateThreshold: v.FEEDME_DUPLICATE_THRESHOLD,
    maxExamplesPerConversation: v.FEEDME_MAX_EXAMPLES_PER_CONVERSATION,
    embeddingBatchSize: v.FEEDME_EMBEDDING_BATCH_SIZE,
    qualityThreshold: v.FEEDME_QUALITY_THRESHOLD,
    chunkChars: v.FEEDME_CHUNK_CHARS,
    chunkOverlapChars: Math.min(v.FEEDME_CHUNK_OVERLAP_CHARS, Math.floor(v.FEEDME_CHUNK_CHARS / 2)),
    concurrency: v.FEEDME_CONCURRENCY,
  }),
);
