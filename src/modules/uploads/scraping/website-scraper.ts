import { Inject, Injectable } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { APP_CONFIG } from '../../../core/config/config.module.js';
import type { AppConfig } from '../../../core/config/config.js';
import { HostPacer } from './host-pacer.js';
import type { HostResolver } from './host-resolver.js';
import { extractPageContent, type Heading, type SocialLink } from './page-content.js';
import { RobotsPolicy, SCRAPE_RESOLVER } from './robots-policy.js';
import { safeFetch, type FetchResult } from './safe-fetch.js';
import type { ScrapeOutcome } from './scrape-outcome.js';

export interface PageVisit {
  url: string;
  outcome: ScrapeOutcome;
  status: number | null;
  detail: string | null;
}

/** One website's scrape, as stored in `scrapes` (shared across uploads). */
export interface ScrapeRecord {
  url: string;
  finalUrl: string;
  outcome: ScrapeOutcome;
  httpStatus: number | null;
  detail: string | null;
  contentType: string | null;
  bytes: number | null;
  title: string | null;
  description: string | null;
  headings: Heading[];
  text: string;
  emails: string[];
  socialLinks: SocialLink[];
  pages: PageVisit[];
  /** Worth reusing for other uploads (transient failures are not). */
  cacheable: boolean;
  durationMs: number;
}

const MAX_SITE_TEXT = 30_000;
const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;

function isHtmlType(contentType: string | null): boolean {
  return contentType === null || HTML_TYPES.test(contentType);
}

function charsetOf(contentType: string | null, head: Buffer): string {
  const declared = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  if (declared) return declared;
  const meta = /<meta[^>]+charset=["']?([\w-]+)/i.exec(head.subarray(0, 2048).toString('latin1'));
  return meta?.[1] ?? 'utf-8';
}

function decode(body: Buffer, contentType: string | null): string {
  try {
    return new TextDecoder(charsetOf(contentType, body)).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * Scrapes one website: its home page, then up to SCRAPE_MAX_PAGES - 1 same-site pages that say who
 * the company is (about, services, contact). Every request goes through safeFetch (private
 * addresses refused, redirects checked hop by hop), after robots.txt and the host's politeness
 * slot. The home page decides the outcome; a failing extra page is only noted.
 */
@Injectable()
export class WebsiteScraper {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCRAPE_RESOLVER) private readonly resolve: HostResolver,
    private readonly robots: RobotsPolicy,
    private readonly pacer: HostPacer,
  ) {}

  async scrape(url: string, signal?: AbortSignal): Promise<ScrapeRecord> {
    const started = performance.now();
    const home = await this.fetchPage(url, signal);
    const record: ScrapeRecord = {
      url,
      finalUrl: home.finalUrl,
      outcome: home.outcome,
      httpStatus: home.status,
      detail: home.detail,
      contentType: home.contentType,
      bytes: home.bytes,
      title: null,
      description: null,
      headings: [],
      text: '',
      emails: [],
      socialLinks: [],
      pages: [
        { url: home.finalUrl, outcome: home.outcome, status: home.status, detail: home.detail },
      ],
      cacheable: false,
      durationMs: 0,
    };
    if (home.outcome === 'ok' && home.html !== null) {
      const content = extractPageContent(home.html, home.finalUrl);
      Object.assign(record, {
        title: content.title,
        description: content.description,
        headings: content.headings,
        text: content.text,
        emails: content.emails,
        socialLinks: content.socialLinks,
      });
      for (const next of content.nextPages.slice(0, this.config.uploads.scrape.maxPages - 1)) {
        const page = await this.fetchPage(next, signal);
        record.pages.push({
          url: next,
          outcome: page.outcome,
          status: page.status,
          detail: page.detail,
        });
        if (page.outcome !== 'ok' || page.html === null) continue;
        const extra = extractPageContent(page.html, page.finalUrl);
        for (const heading of extra.headings)
          if (record.headings.length < 40 && !record.headings.some((h) => h.text === heading.text))
            record.headings.push(heading);
        if (extra.text && record.text.length < MAX_SITE_TEXT)
          record.text = `${record.text}\n\n${extra.text}`.trim().slice(0, MAX_SITE_TEXT);
        for (const email of extra.emails)
          if (!record.emails.includes(email)) record.emails.push(email);
        for (const link of extra.socialLinks)
          if (!record.socialLinks.some((l) => l.url === link.url)) record.socialLinks.push(link);
      }
    }
    record.cacheable =
      ['ok', 'not_html', 'too_large', 'blocked_by_robots'].includes(record.outcome) ||
      (record.outcome === 'http_error' &&
        record.httpStatus !== null &&
        record.httpStatus >= 400 &&
        record.httpStatus < 500 &&
        record.httpStatus !== 429);
    record.durationMs = Math.round(performance.now() - started);
    return record;
  }

  private async fetchPage(url: string, signal?: AbortSignal) {
    const scrape = this.config.uploads.scrape;
    const result: FetchResult = await safeFetch(url, {
      resolve: this.resolve,
      allowPrivate: scrape.allowPrivate,
      timeoutMs: scrape.timeoutMs,
      maxBytes: scrape.maxBytes,
      maxRedirects: scrape.maxRedirects,
      userAgent: scrape.userAgent,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      signal,
      wantBody: isHtmlType,
      beforeRequest: async (hop) => {
        let crawlDelayMs = 0;
        if (scrape.respectRobots) {
          const verdict = await this.robots.check(hop, signal);
          if (!verdict.allowed) return { outcome: verdict.outcome, detail: verdict.detail };
          crawlDelayMs = verdict.crawlDelayMs;
        }
        await this.pacer.wait(hop.host, Math.max(scrape.politenessMs, crawlDelayMs), signal);
      },
    });
    const page = {
      finalUrl: result.finalUrl,
      status: result.status ?? null,
      contentType: result.kind === 'response' ? result.contentType : null,
      bytes: result.kind === 'response' ? (result.body?.length ?? null) : null,
      html: null as string | null,
      outcome: 'ok' as ScrapeOutcome,
      detail: null as string | null,
    };
    if (result.kind === 'failure')
      return { ...page, outcome: result.outcome, detail: result.detail };
    if (result.status < 200 || result.status >= 300)
      return {
        ...page,
        outcome: 'http_error' as const,
        detail: `HTTP ${result.status} ${STATUS_CODES[result.status] ?? ''}`.trim(),
      };
    if (result.body === null)
      return {
        ...page,
        outcome: 'not_html' as const,
        detail: `the page is ${result.contentType?.split(';')[0] ?? 'not HTML'}, not HTML`,
      };
    const head = result.body.subarray(0, 512).toString('latin1').trimStart();
    if (result.contentType === null && (head.startsWith('%PDF') || !head.startsWith('<')))
      return {
        ...page,
        outcome: 'not_html' as const,
        detail: 'the page has no Content-Type and is not HTML',
      };
    return { ...page, html: decode(result.body, result.contentType) };
  }
}
