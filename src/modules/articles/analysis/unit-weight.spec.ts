import { describe, expect, it } from '@jest/globals';
import { judgeWeight, readNumber, toGrams } from './unit-weight.js';

const kg = (answer: number | string | null) => judgeWeight(toGrams(answer)).kilograms;

describe('unit weight from a model answer', () => {
  it.each([
    [2500, 2.5],
    ['2500', 2.5],
    ['2.5 kg', 2.5],
    ['2,5 kg', 2.5],
    ['2.5kg', 2.5],
    ['2500 g', 2.5],
    ['2,500 grams', 2.5],
    ['0.0025 t', 2.5],
    ['2 500 000 mg', 2.5],
    ['88.18 oz', 2.5],
    ['1 lb 4 oz', 0.56699],
    ['1,234.5 g', 1.2345],
    ['1.234,5 g', 1.2345],
  ])('%p -> %p kg', (answer, expected) => {
    expect(kg(answer)).toBeCloseTo(expected, 3);
  });

  it('reads "5.51 lb" as 2.5 kg within 0.01 (acceptance 1)', () => {
    expect(Math.abs(kg('5.51 lb')! - 2.5)).toBeLessThan(0.01);
    expect(Math.abs(kg('5.51 lbs')! - 2.5)).toBeLessThan(0.01);
    expect(Math.abs(kg('5.51 pounds')! - 2.5)).toBeLessThan(0.01);
  });

  it('has no weight for null, empty or unitless words', () => {
    expect(toGrams(null)).toBeNull();
    expect(toGrams('')).toBeNull();
    expect(toGrams('unknown')).toBeNull();
    expect(toGrams('12 parsecs')).toBeNull();
    expect(toGrams(Number.NaN)).toBeNull();
  });

  it('reads locale numbers as people mean them', () => {
    expect(readNumber('2,5')).toBe(2.5);
    expect(readNumber('1,234')).toBe(1234);
    expect(readNumber('0,123')).toBe(0.123);
    expect(readNumber('1.234.567')).toBe(1234567);
    expect(readNumber("1'234.5")).toBe(1234.5);
  });
});

describe('plausibility', () => {
  it('stores ordinary weights in kilograms', () => {
    expect(judgeWeight(2500)).toEqual({ kilograms: 2.5, review: null });
    expect(judgeWeight(0.5)).toEqual({ kilograms: 0.0005, review: null });
    expect(judgeWeight(100_000_000)).toEqual({ kilograms: 100_000, review: null });
  });

  it('flags negative, zero and above-100-t weights instead of storing them', () => {
    expect(judgeWeight(-5)).toEqual({
      kilograms: null,
      review: expect.stringContaining('negative'),
    });
    expect(judgeWeight(0)).toEqual({ kilograms: null, review: expect.stringContaining('0 g') });
    const huge = judgeWeight(150_000_000);
    expect(huge.kilograms).toBeNull();
    expect(huge.review).toContain('150 t');
    expect(huge.review).toContain('100 t');
  });

  it('has nothing to say about a missing weight', () => {
    expect(judgeWeight(null)).toEqual({ kilograms: null, review: null });
  });
});
