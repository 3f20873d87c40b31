import { EMBEDDING_DIMENSIONS } from '../embedding-dimensions.js';
import { fnv1a, terms } from './text.js';

const BIGRAM_WEIGHT = 0.5;

/**
 * A deterministic embedding without a model: stemmed content words and word pairs are hashed
 * into EMBEDDING_DIMENSIONS buckets with a ± sign (the "hashing trick"), then L2-normalised, so
 * cosine similarity measures shared vocabulary. Paraphrases that share their key words land
 * close; unrelated texts land near 0. Used by the offline provider and the fake OpenAI server.
 */
export function featureHashEmbedding(text: string, dimensions = EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const tokens = terms(text);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    const sign = (fnv1a(feature, 0x9747b28c) & 1) === 0 ? 1 : -1;
    vector[hash % dimensions] += sign * weight;
  };
  for (let i = 0; i < tokens.length; i++) {
    add(tokens[i], 1);
    if (i > 0) add(`${tokens[i - 1]} ${tokens[i]}`, BIGRAM_WEIGHT);
  }
  // An empty (or all-stopword) text still gets a unit vector: a zero vector has no cosine.
  if (tokens.length === 0) add('\u0000empty', 1);
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return vector.map((x) => x / norm);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
