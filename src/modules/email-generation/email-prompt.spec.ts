import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_TEMPLATE,
  checkEmail,
  renderTemplate,
  unknownPlaceholders,
  verdictOf,
} from './email-prompt.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

describe('templates', () => {
  it('fills lead fields, columns, offer and role, and drops lines with nothing to say', () => {
    const text = renderTemplate(`${DEFAULT_TEMPLATE}\nRegion: {{Region}}`, {
      values: { first_name: 'Dana', company: 'Northwind' },
      headers: ['Region'],
      cells: ['North'],
      offer: 'faster invoicing',
      senderRole: 'a consultant',
    });
    expect(text).toContain('Name: Dana');
    expect(text).toContain('Company: Northwind');
    expect(text).toContain('What I offer: faster invoicing');
    expect(text).toContain('Region: North');
    expect(text).not.toContain('Industry:');
    expect(text).not.toContain('{{');
  });

  it('names placeholders nothing fills', () => {
    expect(unknownPlaceholders('Hi {{first_name}} {{Region}} {{nickname}}', ['Region'])).toEqual([
      'nickname',
    ]);
  });
});

describe('checkEmail', () => {
  it('passes a 60-word body', () => {
    expect(checkEmail(words(60))).toEqual({ ok: true, words: 60, problems: [] });
  });

  it('catches length, sign-offs, leftover placeholders and subject lines', () => {
    expect(checkEmail(words(20)).problems).toEqual(['20 words (asked for 50-70)']);
    expect(checkEmail(`${words(55)}\n\nBest,\n`).problems).toContain(
      'ends with a signature or sign-off',
    );
    expect(checkEmail(`${words(55)} [Your Name]`).problems[0]).toMatch(/placeholder is left/);
    expect(checkEmail(`Subject: hi\n${words(55)}`).problems).toContain('has a subject line');
  });

  it('words the verdict', () => {
    const bad = checkEmail(words(20));
    expect(verdictOf(checkEmail(words(60)))).toBe('ok (60 words)');
    expect(verdictOf(bad, checkEmail(words(60)))).toMatch(
      /^ok after re-ask \(60 words; first answer: 20 words/,
    );
    expect(verdictOf(bad, bad)).toMatch(/^failed after re-ask: 20 words/);
  });
});
