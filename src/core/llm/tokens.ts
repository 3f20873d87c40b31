import { countTokens } from 'gpt-tokenizer';
import type { LlmMessage } from './llm.types.js';

// Chat formatting adds a few tokens per message (role, separators) and a few to prime the reply.
const PER_MESSAGE = 4;
const PER_REPLY = 3;

/**
 * Prompt tokens of a chat request, counted with the o200k tokenizer of the gpt-4o family: exact
 * for those models, close for others. What the rate limiter reserves before sending.
 */
export function countPromptTokens(messages: readonly LlmMessage[]): number {
  let total = PER_REPLY;
  for (const message of messages) total += PER_MESSAGE + countTokens(message.content);
  return total;
}

export function countTextTokens(text: string): number {
  return text ? countTokens(text) : 0;
}
