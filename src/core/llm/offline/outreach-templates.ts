import type { EmailTaskInput, WebsiteMessageTaskInput } from '../llm.types.js';
import { countWords, fnv1a, sentences } from './text.js';

/** Seed 002's constraint for every generated message: 50-70 words, no signature. */
export const MIN_WORDS = 50;
export const MAX_WORDS = 70;

const DEFAULT_OFFER = 'automating the repetitive work around orders, invoices and customer e-mails';

function clean(value: string | undefined, maxWords = 8): string | undefined {
  const text = value?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  const words = text.split(' ');
  return words.length > maxWords ? words.slice(0, maxWords).join(' ') : text;
}

function pick<T>(options: readonly T[], seed: number): T {
  return options[seed % options.length];
}

function firstName(input: EmailTaskInput): string | undefined {
  const { lead } = input;
  const name = clean(lead.firstName, 2) ?? clean(lead.fullName, 3)?.split(' ')[0];
  return name ? name[0].toUpperCase() + name.slice(1) : undefined;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

/**
 * Assembles a message from slots (each a list of variants, preferred first, shorter after) and
 * optional sentences. While it is over MAX_WORDS the longest slot that has a shorter variant
 * switches to it; while under MIN_WORDS optional sentences are added before the closing one.
 */
function compose(slots: string[][], optional: string[], closing: string[]): string {
  const choice = slots.map(() => 0);
  let closingChoice = 0;
  const body: string[] = [];
  const text = () =>
    [...slots.map((variants, i) => variants[choice[i]]), ...body, closing[closingChoice]]
      .filter(Boolean)
      .join(' ');
  for (;;) {
    if (countWords(text()) <= MAX_WORDS) break;
    let longest = -1;
    slots.forEach((variants, i) => {
      if (choice[i] + 1 < variants.length) {
        if (
          longest < 0 ||
          countWords(variants[choice[i]]) > countWords(slots[longest][choice[longest]])
        )
          longest = i;
      }
    });
    if (longest >= 0) choice[longest]++;
    else if (closingChoice + 1 < closing.length) closingChoice++;
    else break;
  }
  for (const next of optional) {
    if (countWords(text()) >= MIN_WORDS) break;
    if (countWords(text()) + countWords(next) <= MAX_WORDS) body.push(next);
  }
  return text();
}

/** A personalised cold email from the lead's fields: greeting, why them, the offer, one question. */
export function templatedEmail(input: EmailTaskInput): string {
  const { lead } = input;
  const seed = fnv1a(JSON.stringify(lead));
  const name = firstName(input);
  const company = clean(lead.company, 5);
  const industry = clean(lead.industry, 4);
  const title = clean(lead.jobTitle, 5);
  const location = clean(lead.location, 3);
  const offer = clean(input.offer, 14) ?? DEFAULT_OFFER;
  const greeting = name ? `Hi ${name},` : 'Hello,';
  const where = [
    industry ? `in ${lowerFirst(industry)}` : undefined,
    location ? `around ${location}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const target = company ?? 'your team';
  const openers = [
    `I came across ${target}${where ? ` while looking at companies ${where}` : ''} and wanted to reach out directly.`,
    `I have been reading about teams${where ? ` ${where}` : ''}, and ${target} stood out to me.`,
    `${company ? `${company} caught my eye` : 'Your work caught my eye'}${where ? ` among companies ${where}` : ''}, so I wanted to write to you personally.`,
  ];
  const article = title && /^[aeiou]/i.test(title) ? 'an' : 'a';
  const role = title
    ? [
        `As ${article} ${title}, you probably feel how much time goes into routine tasks that never quite go away.`,
        `As ${article} ${title}, you know how much time routine work takes.`,
      ]
    : ['Most teams I talk to lose hours every week to routine tasks that never quite go away.'];
  const offerLine = [
    `We help companies with ${offer}, without replacing the tools people already use.`,
    `We help with ${offer}.`,
  ];
  const notes = Object.entries(lead.extra ?? {})
    .filter(
      ([key, value]) => /note|news|recent|about|interest|pain|focus/i.test(key) && value.trim(),
    )
    .map(([, value]) => `I also noticed ${lowerFirst(clean(value, 12)!.replace(/[.!?]+$/, ''))}.`);
  const optional = [
    'The idea is simple: fewer manual steps, fewer errors, and more time for the work that matters.',
    'I am happy to share a couple of concrete examples first, so you can judge whether it is relevant.',
    'There is no pressure either way, and a short reply is perfectly fine.',
  ];
  const closing = [
    pick(
      [
        `Would a short call next week make sense to see if this fits ${target}?`,
        `Would you be open to a 15-minute chat about whether this could help ${target}?`,
        `Is this worth a quick conversation with ${target} in the coming weeks?`,
      ],
      seed >>> 3,
    ),
    'Would a short call make sense?',
  ];
  const opener = pick(openers, seed);
  return compose(
    [
      [greeting],
      [opener, `${company ?? 'Your team'} stood out to me.`],
      // A personal detail from the sheet goes first among what may be dropped for length.
      ...(notes.length > 0 ? [[notes[0], '']] : []),
      role,
      offerLine,
    ],
    optional,
    closing,
  );
}

/** A first message to a company, built from what its website says about it. */
export function templatedWebsiteMessage(input: WebsiteMessageTaskInput): string {
  const host = (() => {
    try {
      return new URL(
        /^https?:\/\//.test(input.website) ? input.website : `https://${input.website}`,
      ).hostname.replace(/^www\./, '');
    } catch {
      return clean(input.website, 1) ?? 'your website';
    }
  })();
  const company =
    clean(input.companyName, 5) ?? clean(input.pageTitle?.split(/[|\-–]/)[0], 5) ?? host;
  const seed = fnv1a(`${input.website}|${company}`);
  const summary = sentences(input.pageText ?? '')
    .map((s) => s.replace(/[.!?]+$/, ''))
    .find((s) => countWords(s) >= 5 && countWords(s) <= 22);
  const offer = clean(input.offer, 14) ?? DEFAULT_OFFER;
  const required = [
    [`Hello ${company} team,`, 'Hello,'],
    summary
      ? [
          `I was reading ${host}, where you write: "${clean(summary, 16)}".`,
          `I was reading ${host}.`,
        ]
      : [`I spent a few minutes on ${host} to understand what you do.`],
    [`We help companies like yours with ${offer}.`, `We help with ${offer}.`],
  ];
  const optional = [
    'From what I saw, there may be a few places where manual steps could be handled automatically.',
    'The goal is fewer repetitive tasks and faster answers for your customers, using the tools you already have.',
    'I am happy to share a short example first, so you can judge whether it is relevant for you.',
  ];
  const closing = [
    pick(
      [
        `Would a short call next week be useful for ${company}?`,
        `Would you be open to a quick chat about it?`,
      ],
      seed,
    ),
    'Would a short call make sense?',
  ];
  return compose(required, optional, closing);
}
