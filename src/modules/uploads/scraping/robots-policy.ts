import { Inject, Injectable } from '@nestjs/common';
import robotsParserModule from 'robots-parser';
import { APP_CONFIG } from '../../../core/config/config.module.js';
import type { AppConfig } from '../../../core/config/config.js';
import type { HostResolver } from './host-resolver.js';
import { safeFetch } from './safe-fetch.js';
import type { ScrapeOutcome } from './scrape-outcome.js';
import { UploadsRedis } from './uploads-redis.js';

type Robot = ReturnType<typeof robotsParserModule.default>;
// robots-parser is CommonJS whose module.exports is the function; its typings say `default`.
const robotsParser = robotsParserModule as unknown as (url: string, body: string) => Robot;

export const SCRAPE_RESOLVER = Symbol('SCRAPE_RESOLVER');

/** What robots.txt of an origin says, as cached. */
type RobotsFile =
  | { kind: 'rules'; body: string }
  | { kind: 'allow-all'; reason: string }
  | { kind: 'disallow-all'; reason: string };

type RobotsAnswer = RobotsFile | { kind: 'unreachable'; outcome: ScrapeOutcome; detail: string };

export type RobotsVerdict =
  | { allowed: true; crawlDelayMs: number }
  | { allowed: false; outcome: ScrapeOutcome; detail: string };

const MAX_ROBOTS_BYTES = 512 * 1024;
const MEMO_MS = 60_000;

/**
 * robots.txt per origin (RFC 9309): fetched once, cached in Redis for SCRAPE_ROBOTS_CACHE_MINUTES
 * and shared by every worker, with one fetch in flight per origin in this process. A missing file
 * (4xx) allows everything; a server error (5xx) disallows everything for now; an unreachable host
 * is the page's outcome (timeout, dns_error, refused_private...).
 */
@Injectable()
export class RobotsPolicy {
  private readonly memo = new Map<string, { expires: number; answer: Promise<RobotsAnswer> }>();
  private readonly agent: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCRAPE_RESOLVER) private readonly resolve: HostResolver,
    private readonly redis: UploadsRedis,
  ) {
    // The product token robots.txt groups are matched against: "ConveyorBot/1.0 (...)" -> ConveyorBot.
    this.agent = config.uploads.scrape.userAgent.split(/[\s/]/)[0] || 'ConveyorBot';
  }

  async check(url: URL, signal?: AbortSignal): Promise<RobotsVerdict> {
    const answer = await this.answerFor(url.origin, signal);
    switch (answer.kind) {
      case 'unreachable':
        return {
          allowed: false,
          outcome: answer.outcome,
          // The host itself cannot be reached (no such name, private address, refused, silent):
          // that is the page's outcome too, said plainly.
          detail: answer.detail,
        };
      case 'allow-all':
        return { allowed: true, crawlDelayMs: 0 };
      case 'disallow-all':
        return { allowed: false, outcome: 'blocked_by_robots', detail: answer.reason };
      case 'rules': {
        const robots = robotsParser(`${url.origin}/robots.txt`, answer.body);
        if (robots.isDisallowed(url.toString(), this.agent))
          return {
            allowed: false,
            outcome: 'blocked_by_robots',
            detail: `robots.txt disallows ${url.pathname} for ${this.agent} (line ${robots.getMatchingLineNumber(url.toString(), this.agent)})`,
          };
        const delay = robots.getCrawlDelay(this.agent);
        return { allowed: true, crawlDelayMs: delay ? Math.min(delay, 30) * 1000 : 0 };
      }
    }
  }

  private answerFor(origin: string, signal?: AbortSignal): Promise<RobotsAnswer> {
    const now = Date.now();
    const memo = this.memo.get(origin);
    if (memo && memo.expires > now) return memo.answer;
    if (this.memo.size > 5000) this.memo.clear();
    const answer = this.load(origin, signal);
    this.memo.set(origin, {
      expires: now + Math.min(MEMO_MS, this.config.uploads.scrape.robotsCacheMs),
      answer,
    });
    // An unreachable answer is not kept: the next page of the host asks again.
    void answer.then(
      (value) => value.kind === 'unreachable' && this.memo.delete(origin),
      () => this.memo.delete(origin),
    );
    return answer;
  }

  private async load(origin: string, signal?: AbortSignal): Promise<RobotsAnswer> {
    const ttl = this.config.uploads.scrape.robotsCacheMs;
    const key = this.redis.key('robots', origin);
    if (ttl > 0) {
      const cached = await this.redis.client.get(key).catch(() => null);
      if (cached) return JSON.parse(cached) as RobotsFile;
    }
    const answer = await this.fetchRobots(origin, signal);
    if (ttl > 0 && answer.kind !== 'unreachable')
      await this.redis.client.set(key, JSON.stringify(answer), 'PX', ttl).catch(() => undefined);
    return answer;
  }

  private async fetchRobots(origin: string, signal?: AbortSignal): Promise<RobotsAnswer> {
    const scrape = this.config.uploads.scrape;
    const result = await safeFetch(`${origin}/robots.txt`, {
      resolve: this.resolve,
      allowPrivate: scrape.allowPrivate,
      timeoutMs: scrape.timeoutMs,
      maxBytes: MAX_ROBOTS_BYTES,
      maxRedirects: 5,
      userAgent: scrape.userAgent,
      accept: 'text/plain, */*;q=0.5',
      signal,
      wantBody: () => true,
    });
    if (result.kind === 'failure') {
      if (result.outcome === 'too_large')
        return { kind: 'allow-all', reason: 'robots.txt too large' };
      if (result.outcome === 'http_error' && result.status && result.status >= 300)
        return { kind: 'allow-all', reason: `robots.txt: ${result.detail}` };
      return { kind: 'unreachable', outcome: result.outcome, detail: result.detail };
    }
    if (result.status >= 200 && result.status < 300)
      return { kind: 'rules', body: (result.body ?? Buffer.alloc(0)).toString('utf8') };
    if (result.status >= 400 && result.status < 500 && result.status !== 429)
      return { kind: 'allow-all', reason: `no robots.txt (HTTP ${result.status})` };
    return {
      kind: 'disallow-all',
      reason: `robots.txt answered HTTP ${result.status}; the site is treated as disallowed until it answers (RFC 9309)`,
    };
  }
}
