import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { BlockList } from 'node:net';
import type { AppConfig } from '../../../core/config/config.js';
import type { Runtime } from '../../../core/runtime.js';
import { deleteKeysWithPrefix } from '../../../../test/support/redis-keys.js';
import { startSitesServer, type SitesServer } from '../../../../test/support/sites-server.js';
import { uploadsEnv } from '../uploads.env.js';
import { isPrivateAddress } from './address-policy.js';
import { HostPacer } from './host-pacer.js';
import { createResolver, type HostResolver } from './host-resolver.js';
import { RobotsPolicy } from './robots-policy.js';
import { safeFetch, type SafeFetchOptions } from './safe-fetch.js';
import { UploadsRedis } from './uploads-redis.js';
import { WebsiteScraper } from './website-scraper.js';

// The scraper against a local web of small sites (test/support/sites-server.ts), with real
// Redis for robots.txt and the politeness clock. Names under .test resolve to the server through
// SCRAPE_RESOLVE-style overrides; metadata.test to the cloud metadata address.

const REDIS = 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID().slice(0, 8)}`;
let sites: SitesServer;
const redisClients: UploadsRedis[] = [];

function scraperWith(env: Record<string, string> = {}) {
  const uploads = uploadsEnv.build(
    Object.fromEntries(
      Object.entries(uploadsEnv.vars).map(([name, spec]) => [name, spec.parse(env[name])]),
    ) as never,
  );
  const config = { uploads, queue: { prefix } } as unknown as AppConfig;
  const redis = new UploadsRedis(config, { redisUrl: REDIS } as Runtime);
  redisClients.push(redis);
  const resolve = createResolver(uploads.scrape.resolve);
  const robots = new RobotsPolicy(config, resolve, redis);
  return { scraper: new WebsiteScraper(config, resolve, robots, new HostPacer(redis)), redis };
}

const testEnv = () => ({
  SCRAPE_RESOLVE: '*.test=127.0.0.1,metadata.test=169.254.169.254',
  SCRAPE_ALLOW_PRIVATE: 'true',
  SCRAPE_POLITENESS_MS: '0',
  SCRAPE_TIMEOUT_MS: '800',
});

let scraper: WebsiteScraper;

beforeAll(async () => {
  sites = await startSitesServer({ slowMs: 5000 });
  const made = scraperWith(testEnv());
  scraper = made.scraper;
  await made.redis.onModuleInit();
});

afterAll(async () => {
  await sites.close();
  for (const redis of redisClients) await redis.onApplicationShutdown();
  await deleteKeysWithPrefix(REDIS, prefix);
});

describe('WebsiteScraper', () => {
  it('reads a small site: home, about and contact, emails, social links; robots.txt obeyed', async () => {
    const record = await scraper.scrape(sites.url('bakery.test'));
    expect(record).toMatchObject({
      outcome: 'ok',
      httpStatus: 200,
      title: 'Hansen Bakery | Sourdough bread baked in Aarhus since 1952',
      description:
        'Family bakery in Aarhus baking organic sourdough bread, cakes and pastries every morning.',
      cacheable: true,
    });
    expect(record.headings.map((h) => h.text)).toEqual(
      expect.arrayContaining([
        'Sourdough bread, baked every morning',
        'Catering for offices',
        'Three generations of bakers',
      ]),
    );
    expect(record.text).toContain('We deliver fresh bread and pastries to more than 40 offices');
    expect(record.text).toContain('Grandfather Erik Hansen opened the bakery');
    expect(record.text).not.toContain('Write to us'); // the footer is not main text
    expect(record.emails.sort()).toEqual(['hello@hansen-bakery.test', 'orders@hansen-bakery.test']);
    expect(record.socialLinks).toEqual([
      { network: 'facebook', url: 'https://www.facebook.com/hansenbakery' },
      { network: 'instagram', url: 'https://instagram.com/hansen.bakery/' },
      { network: 'linkedin', url: 'https://www.linkedin.com/company/hansen-bakery' },
    ]);
    expect(record.pages.map((p) => [new URL(p.url).pathname, p.outcome])).toEqual([
      ['/', 'ok'],
      ['/about', 'ok'],
      ['/contact', 'ok'],
    ]);
    expect(sites.count('bakery.test', '/private/admin')).toBe(0);
    expect(sites.count('bakery.test', '/robots.txt')).toBe(1);
  });

  it.each([
    ['robots.test', 'blocked_by_robots', /robots\.txt disallows \/ for ConveyorBot/],
    ['slow.test', 'timeout', /no complete answer within 800 ms/],
    ['missing.test', 'http_error', /^HTTP 404 Not Found$/],
    ['loop.test', 'http_error', /redirect loop/],
    ['huge.test', 'too_large', /more than 2097152 bytes/],
    ['pdf.test', 'not_html', /application\/pdf/],
  ])('%s ends as %s', async (host, outcome, detail) => {
    const record = await scraper.scrape(sites.url(host));
    expect(record.outcome).toBe(outcome);
    expect(record.detail).toMatch(detail);
  });

  it('never requests a page robots.txt disallows', () => {
    expect(sites.count('robots.test', '/')).toBe(0);
  });

  it('follows a redirect to another host and reads the page there', async () => {
    const record = await scraper.scrape(sites.url('moved.test'));
    expect(record).toMatchObject({ outcome: 'ok', title: 'Moved Logistics' });
    expect(record.finalUrl).toBe(sites.url('www.moved.test'));
  });

  it('names a host that does not exist as dns_error', async () => {
    const record = await scraper.scrape('http://no-such-company.invalid/');
    expect(record.outcome).toBe('dns_error');
    expect(record.detail).toContain('no-such-company.invalid');
  });

  it('keeps to the politeness delay per host across concurrent scrapes', async () => {
    const polite = scraperWith({ ...testEnv(), SCRAPE_POLITENESS_MS: '300' });
    await polite.redis.onModuleInit();
    const host = `polite-${randomUUID().slice(0, 6)}.test`;
    await Promise.all([
      polite.scraper.scrape(sites.url(host, '/about')),
      polite.scraper.scrape(sites.url(host, '/contact')),
      polite.scraper.scrape(sites.url(host, '/about?again')),
    ]);
    const pages = sites.requests.filter((r) => r.host === host && r.path !== '/robots.txt');
    expect(pages).toHaveLength(3);
    const gaps = pages.slice(1).map((r, i) => r.at - pages[i].at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(280);
  });
});

describe('private addresses (SSRF)', () => {
  let strict: WebsiteScraper;
  beforeAll(async () => {
    const made = scraperWith({ ...testEnv(), SCRAPE_ALLOW_PRIVATE: 'false' });
    strict = made.scraper;
    await made.redis.onModuleInit();
  });

  it.each([
    ['a name resolving to 127.0.0.1', () => sites.url('bakery.test'), '127.0.0.1'],
    ['a name resolving to 169.254.169.254', () => sites.url('metadata.test'), '169.254.169.254'],
    ['the literal 127.0.0.1', () => `http://127.0.0.1:${sites.port}/`, '127.0.0.1'],
    ['an IPv4-mapped IPv6 literal', () => `http://[::ffff:127.0.0.1]:${sites.port}/`, '::ffff:'],
    ['localhost', () => `http://localhost:${sites.port}/`, 'localhost resolves to'],
  ])('refuses %s without connecting', async (_name, url, detail) => {
    const before = sites.requests.length;
    const record = await strict.scrape(url());
    expect(record.outcome).toBe('refused_private');
    expect(record.detail).toContain(detail);
    expect(record.cacheable).toBe(false);
    expect(sites.requests.length).toBe(before);
  });

  it.each([
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::1', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['2002:7f00:1::', true],
    ['8.8.8.8', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:8.8.8.8', false],
  ])('%s private: %s', (address, expected) => expect(isPrivateAddress(address)).toBe(expected));
});

describe('safeFetch hop by hop', () => {
  // 127.0.0.1 plays a public address here: only 169.254/16 and 10/8 are refused.
  const notMetadata = new BlockList();
  notMetadata.addSubnet('169.254.0.0', 16);
  notMetadata.addSubnet('10.0.0.0', 8);
  const base = (resolve: HostResolver): SafeFetchOptions => ({
    resolve,
    allowPrivate: false,
    refuse: (address) => notMetadata.check(address),
    timeoutMs: 2000,
    maxBytes: 1024 * 1024,
    maxRedirects: 5,
    userAgent: 'test',
    accept: '*/*',
    wantBody: () => true,
  });

  it('checks the address of every redirect hop', async () => {
    const resolve = createResolver([
      { host: 'hop.test', address: '127.0.0.1' },
      { host: 'metadata.test', address: '169.254.169.254' },
    ]);
    const result = await safeFetch(sites.url('hop.test'), base(resolve));
    expect(result).toMatchObject({
      kind: 'failure',
      outcome: 'refused_private',
      redirects: [`http://metadata.test:${sites.port}/latest/meta-data/`],
    });
    expect(result.kind === 'failure' && result.detail).toContain('169.254.169.254');
  });

  it('pins the connection to the checked address (a rebinding DNS answer is never used)', async () => {
    const answers = ['127.0.0.1', '10.0.0.1'];
    let lookups = 0;
    const rebinding: HostResolver = async () => [
      { address: answers[Math.min(lookups++, 1)], family: 4 },
    ];
    const result = await safeFetch(sites.url('rebind-site.test', '/about'), base(rebinding));
    expect(lookups).toBe(1);
    expect(result).toMatchObject({ kind: 'response', status: 200, address: '127.0.0.1' });
    // The second answer would have been refused:
    const again = await safeFetch(sites.url('rebind-site.test', '/about'), base(rebinding));
    expect(again).toMatchObject({ kind: 'failure', outcome: 'refused_private' });
  });

  it('refuses a name when any of its addresses is private', async () => {
    const mixed: HostResolver = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.9.9.9', family: 4 },
    ];
    const result = await safeFetch(sites.url('mixed.test'), base(mixed));
    expect(result).toMatchObject({ kind: 'failure', outcome: 'refused_private' });
  });
});
