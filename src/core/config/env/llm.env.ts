import { defineSection, env, invalid } from '../env-spec.js';

/** USD per million tokens, input and output (embeddings: output 0). */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

const DEFAULT_PRICES =
  'gpt-4o-mini=0.15/0.60,gpt-4.1-nano=0.10/0.40,gpt-4.1-mini=0.40/1.60,gpt-4o=2.50/10.00,' +
  'gpt-4.1=2.00/8.00,gpt-3.5-turbo=0.50/1.50,text-embedding-3-small=0.02,text-embedding-3-large=0.13';

/**
 * `model=input/output,...` in USD per 1M tokens; a single number is an input-only price
 * (embeddings). Errors name the entry that could not be read.
 */
function parsePrices(value: string): Record<string, ModelPrice> {
  const table: Record<string, ModelPrice> = {};
  for (const entry of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)(?:\s*\/\s*(\d+(?:\.\d+)?))?$/.exec(entry);
    if (!match) {
      throw invalid(
        `must look like "chat-model=0.15/0.60,embedding-model=0.02", could not read "${entry}"`,
      );
    }
    table[match[1]] = {
      inputPerMillion: Number(match[2]),
      outputPerMillion: match[3] === undefined ? 0 : Number(match[3]),
    };
  }
  return table;
}

export const llmEnv = defineSection(
  'llm',
  'LLM provider',
  {
    LLM_MODE: env.oneOf(
      'auto: the openai provider when a key is set, offline otherwise; offline: never call a provider; openai: require a key.',
      ['auto', 'offline', 'openai'],
      'auto',
    ),
    OPENAI_API_KEY: env.optionalString(
      'API key of the OpenAI-compatible provider. Unset: offline mode.',
    ),
    OPENAI_API_KEYS: env.list('Several API keys, comma-separated, each with its own budget.', []),
    OPENAI_BASE_URL: env.optionalUrl(
      'Any OpenAI-compatible server (Ollama, vLLM, LM Studio, Gemini). Unset: api.openai.com.',
      ['http', 'https'],
    ),
    LLM_MODELS: env.list(
      'Chat models in order of preference; a missing or persistently failing model hands over to the next.',
      ['gpt-4o-mini', 'gpt-4.1-nano'],
    ),
    LLM_TIMEOUT_MS: env.int(
      'One attempt is abandoned after this long without an answer (streams: without a new chunk).',
      60_000,
      { min: 100, max: 600_000 },
    ),
    LLM_RPM: env.int(
      'Requests per minute per API key, shared by every instance; paced 2% under it (0: no limit).',
      500,
      { min: 0 },
    ),
    LLM_TPM: env.int(
      'Tokens per minute per API key (prompt + completion), shared by every instance (0: no limit).',
      200_000,
      { min: 0 },
    ),
    LLM_MAX_ATTEMPTS: env.int(
      'Requests sent for one call at most, retries and fallbacks included.',
      5,
      { min: 1, max: 20 },
    ),
    LLM_BACKOFF_BASE_MS: env.int(
      'First retry waits up to this long (full jitter), doubling each attempt.',
      500,
      { min: 1, max: 60_000 },
    ),
    LLM_BACKOFF_MAX_MS: env.int('Longest wait between two attempts.', 30_000, {
      min: 1,
      max: 600_000,
    }),
    LLM_FALLBACK_AFTER_FAILURES: env.int(
      'Consecutive rate limits, 5xx or timeouts on one model before the next model in LLM_MODELS is tried.',
      2,
      { min: 1, max: 20 },
    ),
    LLM_DAILY_REQUEST_CAP: env.int(
      'Requests per UTC day across all instances; past it calls fail with QuotaExhaustedError (0: no cap).',
      0,
      { min: 0 },
    ),
    LLM_DAILY_TOKEN_CAP: env.int('Tokens per UTC day across all instances (0: no cap).', 0, {
      min: 0,
    }),
    LLM_COMPLETION_RESERVE_TOKENS: env.int(
      'Completion tokens reserved in the token budget when a request sets no maxTokens (settled from usage).',
      1024,
      { min: 1 },
    ),
    LLM_KEY_COOLDOWN_MINUTES: env.int(
      'A key refused with 401 or out of quota stays out of the rotation this long before it is tried again.',
      60,
      { min: 1 },
    ),
    LLM_JSON_MODE: env.oneOf(
      'How completeJson asks for JSON: json_schema (structured outputs) or json_object (older servers).',
      ['json_schema', 'json_object'],
      'json_schema',
    ),
    LLM_PRICES: env.custom(
      'Estimated cost, USD per 1M tokens: model=input/output (embeddings: model=input).',
      DEFAULT_PRICES,
      parsePrices,
    ),
    LLM_EMBEDDING_MODEL: env.string('Embedding model.', 'text-embedding-3-small'),
    LLM_EMBEDDING_BATCH_SIZE: env.int('Texts per embeddings request.', 128, {
      min: 1,
      max: 2048,
    }),
    LLM_EMBEDDING_SEND_DIMENSIONS: env.bool(
      'Send `dimensions` with embedding requests (turn off for servers that reject it).',
      true,
    ),
    LLM_OFFLINE_STREAM_DELAY_MS: env.int(
      'Offline mode: pause between streamed tokens, so pages show a stream (0: as fast as possible).',
      0,
      { min: 0, max: 1000 },
    ),
  },
  (v) => {
    const apiKeys = [
      ...new Set([...(v.OPENAI_API_KEY ? [v.OPENAI_API_KEY] : []), ...v.OPENAI_API_KEYS]),
    ];
    if (v.LLM_MODE === 'openai' && apiKeys.length === 0) {
      throw invalid('LLM_MODE=openai needs OPENAI_API_KEY or OPENAI_API_KEYS');
    }
    if (v.LLM_MODELS.length === 0) throw invalid('LLM_MODELS must name at least one model');
    const mode: 'openai' | 'offline' =
      v.LLM_MODE === 'offline' || apiKeys.length === 0 ? 'offline' : 'openai';
    return {
      mode,
      apiKeys,
      baseUrl: v.OPENAI_BASE_URL,
      models: v.LLM_MODELS,
      timeoutMs: v.LLM_TIMEOUT_MS,
      rpm: v.LLM_RPM,
      tpm: v.LLM_TPM,
      maxAttempts: v.LLM_MAX_ATTEMPTS,
      backoffBaseMs: v.LLM_BACKOFF_BASE_MS,
      backoffMaxMs: Math.max(v.LLM_BACKOFF_MAX_MS, v.LLM_BACKOFF_BASE_MS),
      fallbackAfterFailures: v.LLM_FALLBACK_AFTER_FAILURES,
      dailyRequestCap: v.LLM_DAILY_REQUEST_CAP,
      dailyTokenCap: v.LLM_DAILY_TOKEN_CAP,
      completionReserveTokens: v.LLM_COMPLETION_RESERVE_TOKENS,
      keyCooldownMs: v.LLM_KEY_COOLDOWN_MINUTES * 60_000,
      jsonMode: v.LLM_JSON_MODE,
      prices: v.LLM_PRICES,
      embeddingModel: v.LLM_EMBEDDING_MODEL,
      embeddingBatchSize: v.LLM_EMBEDDING_BATCH_SIZE,
      embeddingSendDimensions: v.LLM_EMBEDDING_SEND_DIMENSIONS,
      offlineStreamDelayMs: v.LLM_OFFLINE_STREAM_DELAY_MS,
    };
  },
);
