import { describe, expect, it } from '@jest/globals';
import { buildConfig } from '../config.js';

describe('LLM configuration', () => {
  it('defaults to offline with the gateway defaults', () => {
    const { llm } = buildConfig({});
    expect(llm).toMatchObject({
      mode: 'offline',
      models: ['gpt-4o-mini', 'gpt-4.1-nano'],
      timeoutMs: 60_000,
      maxAttempts: 5,
      embeddingModel: 'text-embedding-3-small',
    });
    expect(llm.prices['gpt-4o-mini']).toEqual({ inputPerMillion: 0.15, outputPerMillion: 0.6 });
    expect(llm.prices['text-embedding-3-small']).toEqual({
      inputPerMillion: 0.02,
      outputPerMillion: 0,
    });
  });

  it('reads a price table and names an entry it cannot read', () => {
    expect(buildConfig({ LLM_PRICES: 'llama3=0/0, my-model = 1.5 / 2' }).llm.prices).toEqual({
      llama3: { inputPerMillion: 0, outputPerMillion: 0 },
      'my-model': { inputPerMillion: 1.5, outputPerMillion: 2 },
    });
    expect(() => buildConfig({ LLM_PRICES: 'gpt-4o-mini=cheap' })).toThrow(
      /LLM_PRICES must look like .* could not read "gpt-4o-mini=cheap"/,
    );
  });

  it('LLM_MODE=offline wins over a key; LLM_MODE=openai without a key is an error', () => {
    expect(buildConfig({ OPENAI_API_KEY: 'k', LLM_MODE: 'offline' }).llm.mode).toBe('offline');
    expect(() => buildConfig({ LLM_MODE: 'openai' })).toThrow(
      /LLM_MODE=openai needs OPENAI_API_KEY or OPENAI_API_KEYS/,
    );
  });

  it('checks numbers against their ranges', () => {
    expect(() => buildConfig({ LLM_MAX_ATTEMPTS: '0' })).toThrow(
      /LLM_MAX_ATTEMPTS must be between 1 and 20/,
    );
    expect(() => buildConfig({ LLM_TIMEOUT_MS: 'soon' })).toThrow(
      /LLM_TIMEOUT_MS must be an integer/,
    );
  });
});
