/**
 * Unit weights: the seed asks the model for grams and stores kilograms. Models do not always
 * answer a bare number ("5.51 lb", "2,5 kg", "1 lb 4 oz"), so an answer is read whatever its
 * unit, and a value no product weighs is flagged for review instead of being stored silently.
 */

const GRAMS_PER: Readonly<Record<string, number>> = {
  mg: 0.001,
  milligram: 0.001,
  g: 1,
  gram: 1,
  gramme: 1,
  kg: 1000,
  kilo: 1000,
  kilogram: 1000,
  kilogramme: 1000,
  t: 1_000_000,
  tonne: 1_000_000,
  ton: 1_000_000,
  metric_ton: 1_000_000,
  lb: 453.59237,
  pound: 453.59237,
  oz: 28.349523125,
  ounce: 28.349523125,
};

/** Heaviest plausible unit weight: 100 tonnes. */
export const MAX_PLAUSIBLE_GRAMS = 100_000_000;

/** "1,234.5", "1.234,5", "2,5", "2.5" and "1 234" as the number a person means. */
export function readNumber(raw: string): number {
  const s = raw.replace(/[\s\u00a0\u202f']/g, '');
  const dot = s.lastIndexOf('.');
  const comma = s.lastIndexOf(',');
  if (dot >= 0 && comma >= 0) {
    // Both: the later one is the decimal separator.
    return dot > comma
      ? Number(s.replaceAll(',', ''))
      : Number(s.replaceAll('.', '').replace(',', '.'));
  }
  if (comma >= 0) {
    const groups = s.split(',');
    const thousands = groups.length > 2 || (groups[1].length === 3 && groups[0] !== '0');
    return Number(thousands ? groups.join('') : groups.join('.'));
  }
  if (s.split('.').length > 2) return Number(s.replaceAll('.', ''));
  return Number(s);
}

function unitFactor(word: string): number | undefined {
  let unit = word.toLowerCase().replace(/\.$/, '').replace(/\s+/g, '_');
  if (unit === 'lbs') unit = 'lb';
  if (unit === 'kgs') unit = 'kg';
  if (unit.endsWith('s') && GRAMS_PER[unit.slice(0, -1)] !== undefined) unit = unit.slice(0, -1);
  return GRAMS_PER[unit];
}

const QUANTITY = /(-?\d[\d\s.,']*)\s*([a-zA-Z]+(?:\s+tons?)?\.?)?/g;

/**
 * Grams from a model's answer: a number is grams (the seed's contract); a string may carry any
 * unit ("5.51 lb", "2,5 kg", "1 lb 4 oz" adds up). Null when nothing readable is there.
 */
export function toGrams(answer: number | string | null | undefined): number | null {
  if (answer === null || answer === undefined) return null;
  if (typeof answer === 'number') return Number.isFinite(answer) ? answer : null;
  const text = answer.trim();
  if (text === '') return null;
  let total = 0;
  let found = false;
  for (const match of text.matchAll(QUANTITY)) {
    const value = readNumber(match[1]);
    if (!Number.isFinite(value)) continue;
    const factor = match[2] ? unitFactor(match[2]) : 1;
    if (factor === undefined) continue;
    total += value * factor;
    found = true;
  }
  return found ? total : null;
}

export interface WeightVerdict {
  /** Kilograms to store as `unit_weight`; null when unknown or flagged. */
  kilograms: number | null;
  /** Why the value was not stored; null when it was stored or when there was none. */
  review: string | null;
}

/** Kilograms from grams, or the reason the value needs a person to look at it. */
export function judgeWeight(grams: number | null): WeightVerdict {
  if (grams === null) return { kilograms: null, review: null };
  if (grams < 0)
    return { kilograms: null, review: `The model reported a negative weight (${grams} g).` };
  if (grams === 0) return { kilograms: null, review: 'The model reported a weight of 0 g.' };
  if (grams > MAX_PLAUSIBLE_GRAMS)
    return {
      kilograms: null,
      review: `The model reported ${formatGrams(grams)}, above the 100 t plausibility limit.`,
    };
  // Six significant digits: grams from pounds carry float noise nobody weighed.
  return { kilograms: Number((grams / 1000).toPrecision(6)), review: null };
}

function formatGrams(grams: number): string {
  return grams >= 1_000_000 ? `${(grams / 1_000_000).toLocaleString('en-US')} t` : `${grams} g`;
}
