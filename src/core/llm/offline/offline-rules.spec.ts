import { describe, expect, it } from '@jest/globals';
import { EMBEDDING_DIMENSIONS } from '../embedding-dimensions.js';
import { retrievalReply, streamTokens } from './chat-retrieval.js';
import { cosineSimilarity, featureHashEmbedding } from './feature-hashing.js';
import { keywordFlowRouting } from './flow-routing.js';

describe('feature-hashed embeddings', () => {
  it('are EMBEDDING_DIMENSIONS long, L2-normalised and deterministic', () => {
    const v = featureHashEmbedding('How do I reset my password?');
    expect(v).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(Math.hypot(...v)).toBeCloseTo(1, 9);
    expect(featureHashEmbedding('How do I reset my password?')).toEqual(v);
    expect(Math.hypot(...featureHashEmbedding(''))).toBeCloseTo(1, 9);
  });

  it('put paraphrases close and unrelated texts far apart', () => {
    const a = featureHashEmbedding('How do I reset my password?');
    const paraphrase = featureHashEmbedding('Steps for resetting a forgotten password');
    const unrelated = featureHashEmbedding('Which countries do you ship furniture to?');
    expect(cosineSimilarity(a, paraphrase)).toBeGreaterThan(0.3);
    expect(Math.abs(cosineSimilarity(a, unrelated))).toBeLessThan(0.1);
  });
});

describe('offline chat reply', () => {
  const examples = [
    {
      question: 'How can I reset my password?',
      answer: 'Open Settings > Security and press Reset.',
    },
    { question: 'Do you ship to Norway?', answer: 'Yes, we ship to all Nordic countries.' },
  ];

  it('answers from the closest example', () => {
    const reply = retrievalReply({ message: 'I forgot my password, how to reset it?', examples });
    expect(reply.text).toBe('Open Settings > Security and press Reset.');
    expect(reply.basedOn?.question).toBe('How can I reset my password?');
  });

  it('says honestly that it has no answer when nothing is close', () => {
    const reply = retrievalReply({ message: 'What is the meaning of life?', examples });
    expect(reply.basedOn).toBeNull();
    expect(reply.text).toMatch(/could not find an answer/);
  });

  it('streams word by word without losing a character', () => {
    const text = ' Open Settings > Security,  and press Reset.\nDone.';
    expect(streamTokens(text).join('')).toBe(text);
    expect(streamTokens(text)).toHaveLength(9);
  });
});

describe('offline flow routing', () => {
  const flows = [
    { id: 'main', description: 'General questions' },
    { id: 'billing', keywords: ['invoice', 'payment', 'refund', 'price'] },
    { id: 'booking', keywords: ['book', 'appointment', 'reschedule', 'cancel'] },
  ];

  it('routes by shared keywords', () => {
    expect(keywordFlowRouting({ message: 'I need a refund for my last invoice', flows })).toEqual({
      flow: 'billing',
      confidence: 0.8,
    });
    expect(keywordFlowRouting({ message: 'Can I reschedule my appointment?', flows }).flow).toBe(
      'booking',
    );
  });

  it('falls back to the default flow with low confidence', () => {
    expect(keywordFlowRouting({ message: 'hello', flows, defaultFlow: 'main' })).toEqual({
      flow: 'main',
      confidence: 0.3,
    });
  });
});
