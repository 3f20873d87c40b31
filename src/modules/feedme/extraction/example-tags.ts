import { stem, words } from './text-terms.js';

/** Topic tags by vocabulary: cheap, deterministic, and good enough to filter a knowledge base. */
const TOPICS: Record<string, string[]> = {
  billing: [
    'invoice',
    'bill',
    'billing',
    'charge',
    'charged',
    'refund',
    'payment',
    'pay',
    'price',
    'pricing',
    'subscription',
    'plan',
    'card',
    'receipt',
    'vat',
    'tax',
  ],
  account: [
    'account',
    'password',
    'login',
    'log',
    'sign',
    'username',
    'email',
    'profile',
    '2fa',
    'two-factor',
    'verification',
    'locked',
  ],
  shipping: [
    'shipping',
    'ship',
    'delivery',
    'deliver',
    'package',
    'parcel',
    'tracking',
    'courier',
    'order',
    'arrive',
    'address',
  ],
  returns: ['return', 'exchange', 'warranty', 'damaged', 'broken', 'replacement'],
  technical: [
    'error',
    'bug',
    'crash',
    'install',
    'update',
    'upgrade',
    'app',
    'browser',
    'api',
    'sync',
    'loading',
    'slow',
    'integration',
    'export',
    'import',
  ],
  security: [
    'security',
    'hack',
    'hacked',
    'phishing',
    'fraud',
    'suspicious',
    'gdpr',
    'privacy',
    'data',
  ],
};

const STEMS: [string, Set<string>][] = Object.entries(TOPICS).map(([tag, list]) => [
  tag,
  new Set(list.map((w) => stem(w))),
]);

/** The topics a pair is about (by its question mostly), plus the tags its export carried. */
export function tagExample(
  question: string,
  answer: string,
  sourceTags: readonly string[],
): string[] {
  const questionStems = new Set(words(question).map(stem));
  const answerStems = new Set(words(answer).map(stem));
  const tags = new Set(sourceTags);
  for (const [tag, vocabulary] of STEMS) {
    let hits = 0;
    for (const s of vocabulary)
      hits += (questionStems.has(s) ? 2 : 0) + (answerStems.has(s) ? 1 : 0);
    if (hits >= 2) tags.add(tag);
  }
  return [...tags].sort();
}

/** Normalises user-given tags: lower case, trimmed, no blanks or repeats, at most 40 characters. */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase().slice(0, 40)).filter(Boolean))].sort();
}
