import { defineSection, env } from '../env-spec.js';

export const llmEnv = defineSection(
  'llm',
  'LLM provider',
  {
    OPENAI_API_KEY: env.optionalString(
      'API key of the OpenAI-compatible provider. Unset: offline mode.',
    ),
    OPENAI_API_KEYS: env.list('Several API keys, comma-separated, each with its own budget.', []),
    OPENAI_BASE_URL: env.optionalUrl(
      'Any OpenAI-compatible server (Ollama, vLLM, LM Studio, Gemini). Unset: api.openai.com.',
      ['http', 'https'],
    ),
  },
  (v) => {
    const apiKeys = [
      ...new Set([...(v.OPENAI_API_KEY ? [v.OPENAI_API_KEY] : []), ...v.OPENAI_API_KEYS]),
    ];
    return {
      mode: apiKeys.length > 0 ? ('openai' as const) : ('offline' as const),
      apiKeys,
      baseUrl: v.OPENAI_BASE_URL,
    };
  },
);
