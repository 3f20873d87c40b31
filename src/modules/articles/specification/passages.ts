/**
 * What of a specification the model reads. The seed sent the first 4,000 characters blind, so a
 * weight on page 3 was never seen. A text that fits is sent whole; a longer one sends its opening
 * (the product's name and summary) and then the passages that mention weight, mass, dimensions or
 * materials, in document order, until the budget is spent.
 */

const RELEVANT = new RegExp(
  [
    // weight and mass, in a few languages
    String.raw`\b(weight|weighs|weighing|mass|net|gross|gewicht|poids|peso|masse)\b`,
    // quantities with a weight unit
    String.raw`\d\s*(mg|g|kg|kgs|t|lbs?|oz|pounds?|ounces?|grams?|kilograms?|tonnes?)\b`,
    // dimensions
    String.raw`\b(dimensions?|size|length|width|height|depth|thickness|diameter|volume|density)\b`,
    String.raw`\d\s*(mm|cm|m|in|inch|inches|ft)\b|\d\s*[x×]\s*\d`,
    // materials
    String.raw`\b(materials?|steel|stainless|alumin(i)?um|copper|brass|bronze|plastic|polymer|abs|pvc|nylon|polyamide|polypropylene|rubber|silicone|glass|wood|cardboard|textile|pcb|electronic)\b`,
  ].join('|'),
  'i',
);

export interface SelectedText {
  text: string;
  /** True when only part of the document is sent. */
  excerpted: boolean;
}

/** Splits into paragraphs, and overlong paragraphs into lines, so passages stay small. */
function passagesOf(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .flatMap((para) => (para.length > 600 ? para.split(/\n/) : [para]))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export function selectPassages(text: string, maxChars: number): SelectedText {
  const normalised = text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .trim();
  if (normalised.length <= maxChars) return { text: normalised, excerpted: false };

  const passages = passagesOf(normalised);
  const openingBudget = Math.floor(maxChars / 5);
  const chosen = new Set<number>();
  let used = 0;
  // The opening: the first passages, up to a fifth of the budget.
  for (let i = 0; i < passages.length && used + passages[i].length <= openingBudget; i++) {
    chosen.add(i);
    used += passages[i].length + 2;
  }
  // Then every relevant passage, in document order, the last one cut to fit.
  for (let i = 0; i < passages.length && used < maxChars; i++) {
    if (chosen.has(i) || !RELEVANT.test(passages[i])) continue;
    const room = maxChars - used;
    const passage = passages[i].length > room ? passages[i].slice(0, room) : passages[i];
    if (passage.length < 20 && passages[i].length >= 20) break;
    chosen.add(i);
    passages[i] = passage;
    used += passage.length + 2;
  }
  const indices = [...chosen].sort((a, b) => a - b);
  const parts: string[] = [];
  let previous = -1;
  for (const i of indices) {
    if (previous >= 0 && i > previous + 1) parts.push('[…]');
    parts.push(passages[i]);
    previous = i;
  }
  return { text: parts.join('\n\n').slice(0, maxChars + 50), excerpted: true };
}
