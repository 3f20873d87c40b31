import { describe, expect, it } from '@jest/globals';
import type { EmailLeadFields } from '../llm.types.js';
import {
  MAX_WORDS,
  MIN_WORDS,
  templatedEmail,
  templatedWebsiteMessage,
} from './outreach-templates.js';
import { countWords } from './text.js';

const LEADS: EmailLeadFields[] = [
  {
    firstName: 'anna',
    company: 'Nordlicht Logistics GmbH',
    jobTitle: 'Head of Operations',
    industry: 'Logistics',
    location: 'Hamburg',
  },
  { fullName: 'Bob Stone', company: 'Stone & Sons' },
  { company: 'Acme' },
  {},
  {
    firstName: 'Émilie',
    lastName: 'Durand',
    jobTitle: 'owner',
    extra: { Notes: 'Opened a second bakery in Lyon last spring.' },
  },
  {
    firstName: 'Christopher-Alexander',
    company: 'The International Association of Very Long Company Names and Partners Limited',
    jobTitle: 'Senior Vice President of Global Strategic Procurement and Supplier Relations',
    industry: 'Industrial equipment manufacturing and maintenance services',
    location: 'Rio de Janeiro, Brazil',
    extra: {
      'Recent news':
        'announced an expansion into twelve new markets across Latin America and Europe this year',
    },
  },
];

describe('offline email template', () => {
  it.each(LEADS.map((lead, i) => [i, lead] as const))(
    'lead %p: 50-70 words, no signature',
    (_i, lead) => {
      const email = templatedEmail({ lead });
      const words = countWords(email);
      expect(words).toBeGreaterThanOrEqual(MIN_WORDS);
      expect(words).toBeLessThanOrEqual(MAX_WORDS);
      expect(email).not.toMatch(/\n(best|regards|cheers|sincerely|thanks)[,!]?\s*\n/i);
      expect(email.trim()).toMatch(/\?$/);
    },
  );

  it('uses the lead fields it was given', () => {
    const email = templatedEmail({
      lead: LEADS[0],
      offer: 'automated shipment status e-mails',
    });
    expect(email).toMatch(/^Hi Anna,/);
    expect(email).toContain('Nordlicht Logistics GmbH');
    expect(email).toContain('Head of Operations');
    expect(email).toContain('automated shipment status e-mails');
    expect(templatedEmail({ lead: LEADS[4] })).toContain('opened a second bakery in Lyon');
  });

  it('is deterministic and varies between leads', () => {
    expect(templatedEmail({ lead: LEADS[0] })).toBe(templatedEmail({ lead: LEADS[0] }));
    const openings = new Set(
      Array.from({ length: 12 }, (_, i) =>
        templatedEmail({ lead: { firstName: `Lead${i}`, company: `Company ${i}` } })
          .split('.')[0]
          .replace(/\d+/g, ''),
      ),
    );
    expect(openings.size).toBeGreaterThan(1);
  });
});

describe('offline website message', () => {
  it('quotes what the website says and stays within 50-70 words', () => {
    const message = templatedWebsiteMessage({
      website: 'https://www.example-bakery.dk/about',
      pageTitle: 'Example Bakery | Fresh bread since 1952',
      pageText:
        'Welcome! We bake organic sourdough bread every morning for cafés across Copenhagen. Order online.',
    });
    expect(message).toContain('Example Bakery');
    expect(message).toContain('We bake organic sourdough bread every morning');
    expect(message).toContain('example-bakery.dk');
    const words = countWords(message);
    expect(words).toBeGreaterThanOrEqual(MIN_WORDS);
    expect(words).toBeLessThanOrEqual(MAX_WORDS);
  });

  it('copes with a bare host and no scraped text', () => {
    const message = templatedWebsiteMessage({ website: 'acme.io' });
    expect(message).toContain('acme.io');
    expect(countWords(message)).toBeGreaterThanOrEqual(MIN_WORDS);
    expect(countWords(message)).toBeLessThanOrEqual(MAX_WORDS);
  });
});
