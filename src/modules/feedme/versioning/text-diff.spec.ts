import { describe, expect, it } from '@jest/globals';
import { diffWords } from './text-diff.js';

describe('diffWords', () => {
  it('marks the words removed and added, keeping the rest', () => {
    expect(
      diffWords('Open Settings and click Reset.', 'Open Settings and click Rename now.'),
    ).toEqual([
      { op: 'equal', text: 'Open Settings and click ' },
      { op: 'delete', text: 'Reset' },
      { op: 'insert', text: 'Rename now' },
      { op: 'equal', text: '.' },
    ]);
  });

  it('joins the parts back into either side', () => {
    const before = 'a b c d e';
    const after = 'a x c e f';
    const parts = diffWords(before, after);
    expect(
      parts
        .filter((p) => p.op !== 'insert')
        .map((p) => p.text)
        .join(''),
    ).toBe(before);
    expect(
      parts
        .filter((p) => p.op !== 'delete')
        .map((p) => p.text)
        .join(''),
    ).toBe(after);
    expect(diffWords('', '')).toEqual([]);
    expect(diffWords('same', 'same')).toEqual([{ op: 'equal', text: 'same' }]);
  });
});
