import { describe, expect, it } from '@jest/globals';
import { dateText, numberText } from './cell-text.js';

describe('numberText', () => {
  it.each([
    [3, '3'],
    [-4, '-4'],
    [0.1 + 0.2, '0.3'],
    [1234567.891, '1234567.891'],
    [59.97000000000001, '59.97'],
    [1e21, '1e+21'],
    [Number.NaN, ''],
  ])('%p -> %p', (value, text) => {
    expect(numberText(value)).toBe(text);
  });
});

describe('dateText', () => {
  it.each([
    ['2024-03-15T00:00:00.000Z', '2024-03-15'],
    ['2024-03-16T14:30:00.000Z', '2024-03-16T14:30:00'],
    ['2024-03-16T14:29:59.999Z', '2024-03-16T14:30:00'],
    ['1899-12-30T09:15:00.000Z', '09:15:00'],
  ])('%s -> %s', (iso, text) => {
    expect(dateText(new Date(iso))).toBe(text);
  });
});
