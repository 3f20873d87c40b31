import type { WeightExtraction } from '../llm-task-schemas.js';

/** Grams per unit, by every spelling the rules accept. */
const GRAMS_PER_UNIT: Record<string, number> = {
  mg: 0.001,
  milligram: 0.001,
  milligrams: 0.001,
  g: 1,
  gr: 1,
  gram: 1,
  grams: 1,
  gramm: 1,
  kg: 1000,
  kgs: 1000,
  kilo: 1000,
  kilos: 1000,
  kilogram: 1000,
  kilograms: 1000,
  lb: 453.59237,
  lbs: 453.59237,
  pound: 453.59237,
  pounds: 453.59237,
  oz: 28.349523125,
  ounce: 28.349523125,
  ounces: 28.349523125,
  t: 1_000_000,
  ton: 1_000_000,
  tons: 1_000_000,
  tonne: 1_000_000,
  tonnes: 1_000_000,
};

const UNIT_PATTERN = Object.keys(GRAMS_PER_UNIT)
  .sort((a, b) => b.length - a.length)
  .join('|');
// A number (1,234.5 | 1.234,5 | 2,5 | 2.5 | 12) followed by a unit that is a whole word.
const QUANTITY = new RegExp(
  `(\\d{1,3}(?:[ ,.]\\d{3})+(?:[.,]\\d+)?|\\d+(?:[.,]\\d+)?)\\s*(${UNIT_PATTERN})\\.?(?![\\p{L}\\p{N}/²³])`,
  'giu',
);
const WEIGHT_WORDS =
  /\b(weight|weighs|weighing|mass|net|gross|gewicht|poids|peso|heavy|unit weight|item weight)\b/i;
const NOT_WEIGHT_CONTEXT = /\b(load|capacity|max(imum)?|payload|force|pressure|per)\s*[:-]?\s*$/i;

export interface WeightCandidate {
  grams: number;
  text: string;
  score: number;
}

/** Reads "1,234.5", "1.234,5", "2,5" and "2.5" as the numbers people mean. */
export function parseLocaleNumber(raw: string): number {
  const s = raw.replace(/\s/g, '');
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    return Number(s.split(thousands).join('').replace(decimal, '.'));
  }
  const sep = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : '';
  if (!sep) return Number(s);
  const parts = s.split(sep);
  // "1,234" / "1.234.567": groups of three after the first are thousands; "2,5" is a decimal.
  if (parts.length > 2 || (parts[1].length === 3 && sep === ',')) {
    return parts.length > 2 || /^\d{1,3}$/.test(parts[0]) ? Number(parts.join('')) : Number(s);
  }
  return Number(parts.join('.'));
}

/** Every weight-looking quantity in the text, scored by how clearly it is the product's weight. */
export function weightCandidates(text: string): WeightCandidate[] {
  const candidates: WeightCandidate[] = [];
  for (const match of text.matchAll(QUANTITY)) {
    const unit = match[2].toLowerCase();
    const factor = GRAMS_PER_UNIT[unit];
    const value = parseLocaleNumber(match[1]);
    if (!Number.isFinite(value) || factor === undefined) continue;
    const before = text.slice(Math.max(0, match.index - 40), match.index);
    let score = 1;
    if (WEIGHT_WORDS.test(before)) score += 10;
    if (/\bnet\b/i.test(before)) score += 2;
    if (NOT_WEIGHT_CONTEXT.test(before)) score -= 5;
    // A lone "t" or "g" is easily something else ("5 t" in a table); trust it less.
    if (unit === 't' || unit === 'g') score -= 0.5;
    candidates.push({ grams: value * factor, text: match[0], score });
  }
  return candidates;
}

/**
 * The product weight in grams: the best-scored quantity (a labelled "weight" wins over a stray
 * number), the first one on a tie; null when the text names none.
 */
export function extractWeight(text: string): WeightExtraction {
  let best: WeightCandidate | undefined;
  for (const candidate of weightCandidates(text)) {
    if (!best || candidate.score > best.score) best = candidate;
  }
  if (!best || best.score <= 0) return { unit_weight_grams: null };
  return { unit_weight_grams: Math.round(best.grams * 1000) / 1000 };
}
