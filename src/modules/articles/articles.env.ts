import { defineSection, env } from '../../core/config/env-spec.js';

export const articlesEnv = defineSection(
  'articles',
  'Articles: product specifications to unit weight and cost models (seed 001)',
  {
    ARTICLES_CONCURRENCY: env.int(
      'Articles analysed at once by one process. Each mostly waits on its two LLM calls (the gateway enforces the provider limits), so this can be high.',
      128,
      { min: 1, max: 1000 },
    ),
    ARTICLES_SPEC_MAX_CHARS: env.int(
      'Characters of a specification sent to the model. Longer documents send the passages that mention weight, mass, dimensions and materials.',
      4000,
      { min: 500, max: 100000 },
    ),
    ARTICLES_WEIGHT_MAX_TOKENS: env.int('Longest weight answer, in tokens.', 100, {
      min: 20,
      max: 2000,
    }),
    ARTICLES_COST_MODEL_MAX_TOKENS: env.int('Longest cost-model answer, in tokens.', 600, {
      min: 50,
      max: 4000,
    }),
  },
  (v) => ({
    concurrency: v.ARTICLES_CONCURRENCY,
    specMaxChars: v.ARTICLES_SPEC_MAX_CHARS,
    weightMaxTokens: v.ARTICLES_WEIGHT_MAX_TOKENS,
    costModelMaxTokens: v.ARTICLES_COST_MODEL_MAX_TOKENS,
  }),
);
