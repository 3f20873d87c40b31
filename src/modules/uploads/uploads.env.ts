import { defineSection, env, invalid } from '../../core/config/env-spec.js';

/** A host name (or `*.suffix`) pinned to an address, like curl's --resolve. */
export interface HostOverride {
  /** Lower-case host, or `*.example` for every name under example. */
  host: string;
  address: string;
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

function parseOverrides(value: string): HostOverride[] {
  if (value === '') return [];
  return value.split(',').map((entry) => {
    const [host, address] = entry.split('=').map((part) => part?.trim().toLowerCase());
    if (!host || !address || !/^(\*\.)?[a-z0-9.-]+$/.test(host))
      throw invalid(`must be a list of host=address pairs, got "${entry.trim()}"`);
    if (!IPV4.test(address) && !address.includes(':'))
      throw invalid(`must map ${host} to an IP address, got "${address}"`);
    return { host, address };
  });
}

export const uploadsEnv = defineSection(
  'uploads',
  'Uploads: website scraping and messages (seed 000)',
  {
    SCRAPE_CONCURRENCY: env.int('Websites scraped at once by one process.', 16, {
      min: 1,
      max: 256,
    }),
    SCRAPE_TIMEOUT_MS: env.int(
      'Longest time for one page: connecting, headers and body together.',
      10000,
      { min: 100, max: 120000 },
    ),
    SCRAPE_MAX_PAGE_KB: env.int('Largest page read (decompressed); larger is too_large.', 2048, {
      min: 16,
      max: 65536,
    }),
    SCRAPE_MAX_REDIRECTS: env.int('Redirects followed for one page.', 5, { min: 0, max: 20 }),
    SCRAPE_MAX_PAGES: env.int(
      'Pages read per website: the home page plus same-site about/contact/services pages.',
      3,
      { min: 1, max: 10 },
    ),
    SCRAPE_USER_AGENT: env.string(
      'User-Agent of the scraper; its first word is the name robots.txt rules are matched against.',
      'ConveyorBot/1.0 (+https://github.com/conveyor; company research for personalised outreach)',
    ),
    SCRAPE_RESPECT_ROBOTS: env.bool(
      'Obey robots.txt (disallowed pages are blocked_by_robots).',
      true,
    ),
    SCRAPE_ROBOTS_CACHE_MINUTES: env.int('How long a host’s robots.txt is cached.', 60, {
      min: 0,
    }),
    SCRAPE_POLITENESS_MS: env.int(
      'Least time between two page requests to one host, shared by every worker and instance (0: off). A larger robots.txt Crawl-delay wins, up to 30 s.',
      1000,
      { min: 0, max: 60000 },
    ),
    SCRAPE_ALLOW_PRIVATE: env.bool(
      'Allow scraping private, loopback and link-local addresses. Only for tests and closed networks: it opens the scraper to SSRF.',
      false,
    ),
    SCRAPE_RESOLVE: env.custom(
      'Fixed addresses for host names, like curl --resolve: host=ip,*.example=ip. The private-address check still applies.',
      '',
      parseOverrides,
    ),
    SCRAPE_CACHE_HOURS: env.int(
      'A scrape of a URL is reused by any upload for this long (0: always fetch).',
      24,
      { min: 0 },
    ),
    UPLOADS_MESSAGE_CONCURRENCY: env.int('Messages generated at once by one process.', 8, {
      min: 1,
      max: 256,
    }),
    UPLOADS_MESSAGE_MAX_TOKENS: env.int('Longest generated message, in tokens.', 350, {
      min: 50,
      max: 4000,
    }),
    UPLOADS_DEFAULT_OFFER: env.optionalString(
      'What the messages offer when an upload does not say (e.g. "AI automation for order processing").',
    ),
  },
  (v) => ({
    scrape: {
      concurrency: v.SCRAPE_CONCURRENCY,
      timeoutMs: v.SCRAPE_TIMEOUT_MS,
      maxBytes: v.SCRAPE_MAX_PAGE_KB * 1024,
      maxRedirects: v.SCRAPE_MAX_REDIRECTS,
      maxPages: v.SCRAPE_MAX_PAGES,
      userAgent: v.SCRAPE_USER_AGENT,
      respectRobots: v.SCRAPE_RESPECT_ROBOTS,
      robotsCacheMs: v.SCRAPE_ROBOTS_CACHE_MINUTES * 60_000,
      politenessMs: v.SCRAPE_POLITENESS_MS,
      allowPrivate: v.SCRAPE_ALLOW_PRIVATE,
      resolve: v.SCRAPE_RESOLVE,
      cacheMs: v.SCRAPE_CACHE_HOURS * 3_600_000,
    },
    messages: {
      concurrency: v.UPLOADS_MESSAGE_CONCURRENCY,
      maxTokens: v.UPLOADS_MESSAGE_MAX_TOKENS,
      defaultOffer: v.UPLOADS_DEFAULT_OFFER,
    },
  }),
);
