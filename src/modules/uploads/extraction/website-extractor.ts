import { parse } from 'tldts';
import { isFreeMailDomain } from './free-mail.js';
import {
  findEmail,
  findUrlCandidates,
  normaliseWebsite,
  socialNetworkOf,
  type NormalisedWebsite,
} from './website-url.js';

export type WebsiteSource = 'column' | 'cell' | 'email';

export interface FoundWebsite extends NormalisedWebsite {
  source: WebsiteSource;
  /** The column it came from. */
  column: string;
}

/** Either the row's website, or why it has none (shown to the user for every such row). */
export type RowWebsite =
  { website: FoundWebsite; reason?: undefined } | { website?: undefined; reason: string };

/** Header words that name the company's website (compared without case, spaces or punctuation). */
const WEBSITE_HEADERS = [
  'website',
  'websiteurl',
  'companywebsite',
  'companyurl',
  'companydomain',
  'companysite',
  'homepage',
  'homepageurl',
  'web',
  'webaddress',
  'webpage',
  'weburl',
  'site',
  'siteweb',
  'siteurl',
  'webseite',
  'url',
  'domain',
  'domainname',
  'www',
];

const SOCIAL_HEADER =
  /linkedin|facebook|twitter|instagram|youtube|tiktok|xing|github|social|logo|image|photo|avatar|picture/;

function squash(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The column most likely to hold the website: an exact name first, then a name containing one. */
export function findWebsiteColumn(headers: readonly string[]): string | null {
  const candidates = headers.filter((header) => !SOCIAL_HEADER.test(squash(header)));
  for (const wanted of WEBSITE_HEADERS) {
    const exact = candidates.find((header) => squash(header) === wanted);
    if (exact) return exact;
  }
  return (
    candidates.find((header) => /website|homepage|webseite|siteweb/.test(squash(header))) ??
    candidates.find((header) => /(url|domain)$/.test(squash(header))) ??
    null
  );
}

function isEmailHeader(header: string): boolean {
  return /e?mail/.test(squash(header));
}

/**
 * Finds each row's website, in this order: the website column; a web address in any other
 * column; the domain of a business email address (never a free-mail one). A row without one
 * gets the reasons each step gave.
 */
export class WebsiteExtractor {
  readonly websiteColumn: string | null;
  private readonly emailColumns: number[];
  private readonly otherColumns: number[];
  private readonly websiteIndex: number;

  constructor(readonly headers: readonly string[]) {
    this.websiteColumn = findWebsiteColumn(headers);
    this.websiteIndex = this.websiteColumn === null ? -1 : headers.indexOf(this.websiteColumn);
    this.emailColumns = headers.flatMap((header, i) => (isEmailHeader(header) ? [i] : []));
    this.otherColumns = headers.flatMap((header, i) =>
      i === this.websiteIndex || SOCIAL_HEADER.test(squash(header)) ? [] : [i],
    );
  }

  extract(cells: readonly string[]): RowWebsite {
    const reasons: string[] = [];
    if (this.websiteIndex >= 0) {
      const cell = (cells[this.websiteIndex] ?? '').trim();
      const column = this.websiteColumn!;
      if (cell === '') {
        reasons.push(`the "${column}" column is empty`);
      } else {
        const found = this.fromCandidate(cell, 'column', column);
        if ('website' in found) return found;
        reasons.push(`"${column}": ${found.reason}`);
      }
    }

    for (const index of this.otherColumns) {
      const cell = cells[index] ?? '';
      for (const candidate of findUrlCandidates(cell)) {
        const found = this.fromCandidate(candidate, 'cell', this.headers[index]);
        if ('website' in found) return found;
      }
    }
    if (this.websiteIndex < 0) reasons.push('no website column');
    reasons.push('no web address in any other column');

    const emailOrder = [
      ...this.emailColumns,
      ...cells.map((_, i) => i).filter((i) => !this.emailColumns.includes(i)),
    ];
    let sawEmail = false;
    for (const index of emailOrder) {
      const email = findEmail(cells[index] ?? '');
      if (!email) continue;
      sawEmail = true;
      if (isFreeMailDomain(email.domain)) {
        reasons.push(
          `${email.email} is a free-mail address (${email.domain}), not a company domain`,
        );
        continue;
      }
      const domain = parse(email.domain).domain;
      if (!domain) {
        reasons.push(`the domain of ${email.email} is not a known domain`);
        continue;
      }
      const found = normaliseWebsite(domain);
      if (found.ok) {
        return {
          website: { ...found.website, source: 'email', column: this.headers[index] ?? '' },
        };
      }
      reasons.push(`the domain of ${email.email}: ${found.reason}`);
    }
    if (!sawEmail) reasons.push('no email address to take a domain from');
    return { reason: capitalise(reasons.join('; ')) };
  }

  private fromCandidate(value: string, source: WebsiteSource, column: string): RowWebsite {
    const parsed = normaliseWebsite(value);
    if (!parsed.ok) return { reason: parsed.reason };
    const network = socialNetworkOf(parsed.website.host);
    if (network)
      return { reason: `${parsed.website.host} is a ${network} page, not the company's website` };
    return { website: { ...parsed.website, source, column } };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
