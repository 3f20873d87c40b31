import type { ChatTaskInput } from '../llm.types.js';
import { cosineSimilarity, featureHashEmbedding } from './feature-hashing.js';

/** Below this similarity an example is not about the same thing (feature-hashed vectors). */
export const ANSWER_THRESHOLD = 0.3;

export interface RetrievalReply {
  text: string;
  /** The example the reply came from, or null when none was close enough. */
  basedOn: { question: string; similarity: number } | null;
}

/**
 * Offline chat: answers with the stored answer of the closest retrieved example (the examples a
 * module found in its knowledge base), and says plainly when none is close enough instead of
 * inventing one.
 */
export function retrievalReply(input: ChatTaskInput): RetrievalReply {
  const query = featureHashEmbedding(input.message);
  let best: { question: string; answer: string; similarity: number } | undefined;
  for (const example of input.examples ?? []) {
    const similarity = cosineSimilarity(query, featureHashEmbedding(example.question));
    if (!best || similarity > best.similarity) best = { ...example, similarity };
  }
  if (best && best.similarity >= ANSWER_THRESHOLD) {
    return {
      text: best.answer.trim(),
      basedOn: { question: best.question, similarity: Math.round(best.similarity * 1000) / 1000 },
    };
  }
  return {
    text:
      'I could not find an answer to that in the knowledge base yet (offline mode: answers come ' +
      'only from stored examples). Could you rephrase the question, or ask a colleague to add it?',
    basedOn: null,
  };
}

/** Splits a reply into stream tokens: words with their following whitespace. */
export function streamTokens(text: string): string[] {
  return text.match(/^\s+|\S+\s*/g) ?? [];
}
