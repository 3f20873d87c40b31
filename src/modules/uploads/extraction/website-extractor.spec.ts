import { describe, expect, it } from '@jest/globals';
import { isFreeMailDomain } from './free-mail.js';
import { WebsiteExtractor, findWebsiteColumn } from './website-extractor.js';
import { normaliseWebsite } from './website-url.js';

function url(raw: string): string {
  const parsed = normaliseWebsite(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.website.url;
}

describe('normaliseWebsite', () => {
  it.each([
    ['acme.com', 'https://acme.com/'],
    ['  WWW.Acme.COM/About  ', 'https://www.acme.com/About'],
    ['HTTP://Acme.com', 'http://acme.com/'],
    ['https://acme.com/?utm_source=x&utm_medium=y&id=7&gclid=abc#team', 'https://acme.com/?id=7'],
    ['https://acme.com/?fbclid=1&ref=ph', 'https://acme.com/'],
    ['https://bücher.de/', 'https://xn--bcher-kva.de/'],
    ['<https://acme.co.uk>', 'https://acme.co.uk/'],
    ['acme.com.', 'https://acme.com/'],
    ['https://acme.com:443/', 'https://acme.com/'],
    ['http://127.0.0.1:8080/x', 'http://127.0.0.1:8080/x'],
  ])('%s -> %s', (raw, expected) => {
    expect(url(raw)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['N/A', 'is not a web address'],
    ['report.pdf', 'does not end in a known domain suffix'],
    ['ftp://acme.com', 'uses ftp:, not http or https'],
    ['mailto:jane@acme.com', 'is an email link'],
    ['https://user:pw@acme.com', 'contains a user name or password'],
    ['acme company', 'is not a web address'],
  ])('refuses %j (%s)', (raw, reason) => {
    const parsed = normaliseWebsite(raw);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });

  it('gives www and bare host, and a trailing slash, the same dedupe key', () => {
    const keys = ['acme.com', 'https://www.acme.com/', 'http://ACME.com?utm_campaign=x'].map(
      (raw) => (normaliseWebsite(raw) as { website: { dedupeKey: string } }).website.dedupeKey,
    );
    expect(new Set(keys).size).toBe(1);
  });
});

describe('free-mail domains', () => {
  it.each([
    'gmail.com',
    'googlemail.com',
    'outlook.com',
    'hotmail.co.uk',
    'yahoo.fr',
    'icloud.com',
    'proton.me',
    'protonmail.com',
    'gmx.de',
    'web.de',
    'me.com',
  ])('%s is free mail', (domain) => expect(isFreeMailDomain(domain)).toBe(true));

  it.each(['acme.com', 'mail.acme.com', 'outlookconsulting.com', 'live-events.de'])(
    '%s is a company domain',
    (domain) => expect(isFreeMailDomain(domain)).toBe(false),
  );
});

describe('findWebsiteColumn', () => {
  it.each([
    [['Company', 'Website', 'Email'], 'Website'],
    [['Company', 'Company URL', 'LinkedIn URL'], 'Company URL'],
    [['Name', 'LinkedIn URL', 'Homepage'], 'Homepage'],
    [['Name', 'Domain'], 'Domain'],
    [['Name', 'LinkedIn URL', 'Email'], null],
  ])('%j -> %s', (headers, expected) => expect(findWebsiteColumn(headers)).toBe(expected));
});

describe('WebsiteExtractor', () => {
  const headers = ['Company', 'Website', 'Email', 'Notes'];
  const extractor = new WebsiteExtractor(headers);

  it('takes the website column first', () => {
    const found = extractor.extract(['Acme', 'acme.com', 'jane@other.com', '']);
    expect(found.website).toMatchObject({
      url: 'https://acme.com/',
      source: 'column',
      column: 'Website',
    });
  });

  it('falls back to an address in another column', () => {
    const found = extractor.extract(['Acme', '', '', 'see https://www.acme.io/about?utm_source=x']);
    expect(found.website).toMatchObject({
      url: 'https://www.acme.io/about',
      source: 'cell',
      column: 'Notes',
    });
  });

  it('derives the registrable domain of a business email', () => {
    const found = extractor.extract(['Acme', '', 'Jane@Mail.Acme.co.uk', '']);
    expect(found.website).toMatchObject({
      url: 'https://acme.co.uk/',
      source: 'email',
      column: 'Email',
    });
  });

  it('never derives a website from a free-mail address, and says why', () => {
    const found = extractor.extract(['Acme', '', 'jane.doe@gmail.com', '']);
    expect(found.website).toBeUndefined();
    expect(found.reason).toBe(
      'The "Website" column is empty; no web address in any other column; jane.doe@gmail.com is a free-mail address (gmail.com), not a company domain',
    );
  });

  it('does not take a social profile for the website', () => {
    const found = extractor.extract(['Acme', 'https://www.linkedin.com/company/acme', '', '']);
    expect(found.reason).toContain(
      '"Website": www.linkedin.com is a linkedin page, not the company\'s website',
    );
  });

  it('explains a row with nothing to go on', () => {
    const bare = new WebsiteExtractor(['Name', 'City']);
    expect(bare.extract(['Jane', 'Aarhus']).reason).toBe(
      'No website column; no web address in any other column; no email address to take a domain from',
    );
  });

  it('reports an unusable website cell and still finds the email domain', () => {
    const found = extractor.extract(['Acme', 'not a site', 'sales@acme.com', '']);
    expect(found.website).toMatchObject({ url: 'https://acme.com/', source: 'email' });
  });
});
