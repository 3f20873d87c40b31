/** Lower-cased words (letters and digits, any script). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

/** A crude suffix stripper: "passwords" and "password", "charged" and "charge" meet. */
export function stem(word: string): string {
  let w = word.replace(/['’]s$/, '');
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  return w.endsWith('e') && w.length > 3 ? w.slice(0, -1) : w;
}

/** The question, lower-cased with punctuation and spacing squeezed: equal when only those differ. */
export function normalisedQuestion(text: string): string {
  return words(text).join(' ');
}
