import { describe, expect, it } from '@jest/globals';
import { scoreExample } from './example-quality.js';
import { normaliseTags, tagExample } from './example-tags.js';
import { contextOf } from './qa-extractor.js';
import { chunkTranscript } from './transcript-chunks.js';

describe('chunkTranscript', () => {
  it('cuts on lines, overlapping each chunk with the end of the one before', () => {
    const lines = Array.from(
      { length: 20 },
      (_, i) => `Line ${String(i).padStart(2, '0')} ${'x'.repeat(40)}`,
    );
    const chunks = chunkTranscript(lines.join('\n'), 200, 100);
    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = chunks[i - 1].split('\n').pop()!;
      expect(chunks[i].split('\n')).toContain(previousLast);
    }
    expect(chunks[chunks.length - 1].endsWith(lines[19])).toBe(true);
    expect(chunkTranscript('short', 200, 100)).toEqual(['short']);
  });
});

describe('scoreExample', () => {
  it('rewards a clear question with a specific answer and marks hedging', () => {
    const good = scoreExample(
      'How do I reset my password?',
      'Open Settings > Security and click Reset password to get a link.',
      0.8,
    );
    const bad = scoreExample('Can it run on a Pi?', 'Not sure, maybe.', 0.7);
    expect(good.score).toBeGreaterThanOrEqual(0.7);
    expect(bad.score).toBeLessThan(0.7);
    expect(bad.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['hedging', 'short_answer']),
    );
    expect(good.score).toBeCloseTo(
      Math.min(
        1,
        good.reasons.reduce((s, r) => s + r.effect, 0),
      ),
      3,
    );
  });
});

describe('tags and context', () => {
  it('tags by topic vocabulary plus the export tags, normalised', () => {
    expect(tagExample('Why was I charged twice on my invoice?', 'We refund it.', ['vip'])).toEqual([
      'billing',
      'vip',
    ]);
    expect(normaliseTags([' Billing ', 'billing', '', 'VIP'])).toEqual(['billing', 'vip']);
  });

  it('takes up to two lines before the question as its context', () => {
    const transcript =
      'Customer: Hi\nAgent: Hello\nCustomer: I am locked out\nCustomer: How do I reset it?\nAgent: ...';
    expect(contextOf(transcript, 'How do I reset it?')).toBe(
      'Agent: Hello\nCustomer: I am locked out',
    );
    expect(contextOf(transcript, 'Something else entirely')).toBe('');
  });
});
