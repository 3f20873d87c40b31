import { describe, expect, it } from '@jest/globals';
import { formatExamples, renderPrompt, unknownPlaceholders } from './prompt-template.js';

describe('prompt templates', () => {
  it('fills known placeholders and names unknown ones', () => {
    expect(
      renderPrompt('Hi {{chatbot_name}} in {{ language }}', {
        chatbot_name: 'Bo',
        language: 'danish',
      }),
    ).toBe('Hi Bo in danish');
    expect(unknownPlaceholders('{{language}} {{lang}} {{examples}} {{oops}}')).toEqual([
      'lang',
      'oops',
    ]);
  });

  it('numbers examples so an answer can cite them', () => {
    expect(formatExamples([{ question: 'Q1', answer: 'A1' }])).toBe('[1] Q: Q1\n    A: A1');
    expect(formatExamples([])).toBe('(none found)');
  });
});
