import { describe, expect, it } from '@jest/globals';
import { weightExtractionSchema } from '../llm-task-schemas.js';
import { extractWeight, parseLocaleNumber } from './weight-extraction.js';

describe('offline weight extraction', () => {
  it.each([
    ['Weight: 2.5 kg', 2500],
    ['Net weight 500g, dimensions 20 x 30 mm', 500],
    ['It weighs 5 lbs when packed', 2267.962],
    ['Contents: 12 oz', 340.194],
    ['Mass 0.5 t', 500000],
    ['One tablet, 250 mg', 0.25],
    ['Gewicht: 1.234,5 g', 1234.5],
    ['Unit weight 1,234 g', 1234],
    ['Weight 2,5 kg (EU decimal comma)', 2500],
    ['weight: 3 kilograms', 3000],
  ])('reads %p as %p grams', (text, grams) => {
    expect(extractWeight(text).unit_weight_grams).toBeCloseTo(grams, 3);
  });

  it('prefers the labelled weight over a load rating that comes first', () => {
    expect(extractWeight('Max load 50 kg. Net weight: 1.2 kg').unit_weight_grams).toBe(1200);
    expect(extractWeight('Payload 3 kg; gross weight 4.2kg').unit_weight_grams).toBe(4200);
  });

  it('says null when the text names no weight, instead of guessing from other numbers', () => {
    expect(extractWeight('Length 25 mm, 3 pieces per box, 230 V')).toEqual({
      unit_weight_grams: null,
    });
    expect(extractWeight('')).toEqual({ unit_weight_grams: null });
  });

  it('does not read millimetres, grams per square metre or kg/m³ as a weight', () => {
    expect(extractWeight('Sheet 2 mm, 80 g/m² paper').unit_weight_grams).toBeNull();
    expect(extractWeight('Density 7850 kg/m³').unit_weight_grams).toBeNull();
  });

  it('answers in the shape of the weight-extraction schema', () => {
    expect(weightExtractionSchema.parse(extractWeight('weight 1 kg'))).toEqual({
      unit_weight_grams: 1000,
    });
  });

  it('parses numbers in both decimal conventions', () => {
    expect(parseLocaleNumber('1,234.5')).toBe(1234.5);
    expect(parseLocaleNumber('1.234,5')).toBe(1234.5);
    expect(parseLocaleNumber('2,5')).toBe(2.5);
    expect(parseLocaleNumber('12.5')).toBe(12.5);
    expect(parseLocaleNumber('1 234')).toBe(1234);
  });
});
