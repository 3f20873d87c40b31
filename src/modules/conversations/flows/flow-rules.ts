/**
 * The rules half of flow routing: a flow's keywords match a message when each keyword (a word or
 * a phrase) appears in it as whole words, case- and accent-insensitively.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function keywordMatches(message: string, keywords: readonly string[]): string[] {
  const haystack = ` ${normaliseText(message)} `;
  return keywords.filter((keyword) => {
    const needle = normaliseText(keyword);
    return needle.length > 0 && haystack.includes(` ${needle} `);
  });
}
