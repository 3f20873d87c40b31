import { Redis } from 'ioredis';
import { fingerprint } from '../../src/core/llm/gateway/key-ring.js';
import type { LlmRequest } from '../../src/core/llm/llm.types.js';
import type { TestApp } from './test-app.js';

/** Environment for an app whose gateway talks to the fake server with test-sized timings. */
export function llmTestEnv(fakeUrl: string, overrides: Record<string, string> = {}) {
  return {
    OPENAI_API_KEY: 'sk-test-one',
    OPENAI_BASE_URL: fakeUrl,
    LLM_MODELS: 'gpt-4o-mini,gpt-4.1-nano',
    LLM_TIMEOUT_MS: '1000',
    LLM_MAX_ATTEMPTS: '4',
    LLM_BACKOFF_BASE_MS: '20',
    LLM_BACKOFF_MAX_MS: '100',
    LLM_RPM: '60000',
    LLM_TPM: '0',
    ...overrides,
  };
}

/** A small request of a given task, as a module would send it. */
export function chatRequest(overrides: Partial<LlmRequest> = {}): LlmRequest {
  return {
    task: 'generic',
    messages: [
      { role: 'system', content: 'You answer briefly.' },
      { role: 'user', content: 'Say something about conveyor belts.' },
    ],
    ...overrides,
  } as LlmRequest;
}

export function weightRequest(specificationText: string, overrides: Partial<LlmRequest> = {}) {
  return {
    task: 'weight-extraction',
    input: { specificationText },
    messages: [
      { role: 'system', content: 'Extract the product weight in grams as JSON.' },
      { role: 'user', content: specificationText },
    ],
    ...overrides,
  } as LlmRequest;
}

/** Puts a key that a test took out of rotation (401, quota) back in. */
export async function restoreKey(t: TestApp, secret: string): Promise<void> {
  const redis = new Redis(t.conveyor.runtime.redisUrl);
  try {
    await redis.del(`${t.prefix}:llm:key:${fingerprint(secret)}:out`);
  } finally {
    redis.disconnect();
  }
}

/** Collects a stream's tokens, and the error it ended with (if any). */
export async function drain(
  stream: AsyncIterable<string>,
): Promise<{ tokens: string[]; error?: unknown }> {
  const tokens: string[] = [];
  try {
    for await (const token of stream) tokens.push(token);
    return { tokens };
  } catch (error) {
    return { tokens, error };
  }
}

/** Polls until `condition` holds (the fake server learns of a closed connection asynchronously). */
export async function until(condition: () => unknown, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
