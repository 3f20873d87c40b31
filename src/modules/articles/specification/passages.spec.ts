import { describe, expect, it } from '@jest/globals';
import { selectPassages } from './passages.js';

const filler = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `Section ${i}. The supplier shall comply with the general terms of delivery and quality.`,
  ).join('\n\n');

describe('what of a specification the model reads', () => {
  it('sends a short document whole', () => {
    const text = 'Widget A\n\nWeight: 2.5 kg';
    expect(selectPassages(text, 4000)).toEqual({ text, excerpted: false });
  });

  it('finds the weight on page 3 of a long document, which the first 4,000 characters miss', () => {
    const text = `Widget A product specification\n\n${filler(80)}\n\nTechnical data: net weight 2.5 kg, dimensions 200 x 100 x 50 mm, material: stainless steel.\n\n${filler(40)}`;
    expect(text.slice(0, 4000)).not.toContain('2.5 kg');
    const selected = selectPassages(text, 4000);
    expect(selected.excerpted).toBe(true);
    expect(selected.text.length).toBeLessThanOrEqual(4050);
    expect(selected.text).toContain('net weight 2.5 kg');
    expect(selected.text.startsWith('Widget A product specification')).toBe(true);
    expect(selected.text).toContain('[…]');
  });

  it('keeps the budget when many passages are relevant', () => {
    const text = Array.from({ length: 500 }, (_, i) => `Part ${i} weighs ${i + 1} g.`).join('\n\n');
    const selected = selectPassages(text, 1000);
    expect(selected.text.length).toBeLessThanOrEqual(1050);
    expect(selected.text).toContain('Part 0 weighs 1 g.');
  });
});
