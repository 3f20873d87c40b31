/** Small text helpers shared by the offline rules and the feature-hashed embeddings. */

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into ' +
    'is it its me my of on or our so than that the their them then there these they this to was we ' +
    'were what when where which who why will with would you your yours us am just about please hi hello ' +
    'thanks thank ok okay'
  ).split(' '),
);

/** Lower-cased words (letters and digits, any script). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

/** A crude suffix stripper: enough for "resetting"/"reset", "passwords"/"password". */
export function stem(word: string): string {
  let w = word.replace(/['’]s$/, '');
  if (w.length > 5 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  for (const suffix of ['ing', 'edly', 'ed', 'es', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  // "resett" (from "resetting") -> "reset"
  if (w.length > 3 && w[w.length - 1] === w[w.length - 2] && !/[aeiou]/.test(w[w.length - 1])) {
    w = w.slice(0, -1);
  }
  return w;
}

/** Stemmed content words: what two texts about the same thing share. */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** FNV-1a, 32 bits: fast, stable across runs and processes. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Splits prose into sentences (keeps the end mark). */
export function sentences(text: string): string[] {
  return (
    text
      .replace(/\s+/g, ' ')
      .match(/[^.!?]+[.!?]+|[^.!?]+$/g)
      ?.map((s) => s.trim())
      .filter(Boolean) ?? []
  );
}
