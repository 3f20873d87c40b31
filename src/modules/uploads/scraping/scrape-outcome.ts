/** How a website's scrape ended (stored in scrapes.outcome and shown to the user). */
export const SCRAPE_OUTCOMES = [
  'ok',
  'http_error',
  'timeout',
  'blocked_by_robots',
  'not_html',
  'too_large',
  'dns_error',
  'refused_private',
] as const;

export type ScrapeOutcome = (typeof SCRAPE_OUTCOMES)[number];
