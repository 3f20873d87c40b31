import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpreadsheetService } from '../../src/core/files/index.js';
import {
  companiesCsv,
  expectCountsAgree,
  uploadCsv,
  uploadDetail,
  type WebsiteBody,
} from '../support/factories/uploads.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { startSitesServer, type SitesServer } from '../support/sites-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Seed 000 end to end: a company list uploaded through the seed's endpoint is read, every website
// scraped from a local web of small sites (test/support/sites-server.ts) and given a message by
// the gateway (the fake OpenAI server). Acceptance 1 and 2 of issue 7.

let t: TestApp;
let sites: SitesServer;
let fake: FakeOpenAI;
let scratch: string;
/** The user prompt of every message request, by the website it names. */
const prompts = new Map<string, string>();

beforeAll(async () => {
  sites = await startSitesServer({ slowMs: 8000 });
  fake = await startFakeOpenAI({
    latencyMs: 0,
    respond: (req) => {
      const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
      const website = /^Website: (\S+)/m.exec(user)?.[1] ?? '?';
      prompts.set(website, user);
      const company = /^Company: (.+)$/m.exec(user)?.[1] ?? 'there';
      return { content: `Hello ${company} team, a message written for ${website}.` };
    },
  });
  t = await startTestApp({
    env: {
      ...llmTestEnv(fake.url),
      // acme-widgets.com: a real-looking domain with nothing listening on 443 here.
      SCRAPE_RESOLVE: '*.test=127.0.0.1,acme-widgets.com=127.0.0.1',
      SCRAPE_ALLOW_PRIVATE: 'true',
      SCRAPE_POLITENESS_MS: '0',
      SCRAPE_TIMEOUT_MS: '1500',
    },
  });
  scratch = await mkdtemp(join(tmpdir(), 'uploads-e2e-'));
});

afterAll(async () => {
  await t?.close();
  await sites?.close();
  await fake?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const byHost = (websites: WebsiteBody[], host: string) => {
  const site = websites.find((w) => w.host === host);
  if (!site) throw new Error(`no website ${host} in ${websites.map((w) => w.host).join(', ')}`);
  return site;
};

describe('a company list from upload to messages', () => {
  let uploadId: string;
  let websites: WebsiteBody[];

  beforeAll(async () => {
    const u = (host: string, path = '/') => sites.url(host, path);
    const csv = companiesCsv(
      ['Company', 'Website', 'Email', 'Notes'],
      [
        ['Hansen Bakery', u('bakery.test'), 'mette@hansen-bakery.test', 'Organic bread'],
        ['Moved Logistics', u('moved.test'), '', ''],
        ['Robots Inc', u('robots.test'), '', ''],
        ['Slow Co', u('slow.test'), '', ''],
        ['Missing Co', u('missing.test'), '', ''],
        ['Loop Co', u('loop.test'), '', ''],
        ['Huge Co', u('huge.test'), '', ''],
        ['Pdf Co', u('pdf.test'), '', ''],
        ['Empty Co', u('empty.test'), '', ''],
        ['Nowhere Co', 'http://no-such-company.invalid/', '', ''],
        ['Hansen Bakery (again)', u('BAKERY.test', '/?utm_source=newsletter'), '', ''],
        ['Grain Mill', '', '', `Met them at a fair, see ${u('grain-mill.test')}`],
        ['Jane Doe', '', 'jane.doe@gmail.com', ''],
        ['Acme Widgets', '', 'sales@acme-widgets.com', ''],
        ['Nameless', '', '', 'no contact details'],
      ],
    );
    const created = await uploadCsv(t.http, csv, 'companies.csv', {
      userId: '00000000-0000-0000-0000-000000000000',
      offer: 'AI automation for order processing',
    });
    expect(['pending', 'processing']).toContain(created.status);
    uploadId = created.id;
    await t.drainQueues(60_000);
    const detail = await expectCountsAgree(t.http, uploadId);
    websites = detail.websites;
  });

  it('finishes on its own, with counts that add up', async () => {
    const detail = await uploadDetail(t.http, uploadId);
    expect(detail.status).toBe('completed');
    expect(detail.counts).toEqual({
      rows: 15,
      rowsWithoutWebsite: 2,
      websitesFound: 12,
      scraped: 12,
      scrapedOk: 4,
      failed: 8,
      messages: 12,
      messageFailures: 0,
      pending: 0,
    });
    expect(detail.progress).toEqual({ done: 12, total: 12, percent: 100 });
  });

  it('gives every site the right outcome', () => {
    const outcomes = Object.fromEntries(
      websites.map((w) => [w.host, [w.outcome, w.outcomeDetail]]),
    );
    expect(outcomes).toEqual({
      'bakery.test': ['ok', null],
      'moved.test': ['ok', null],
      'robots.test': ['blocked_by_robots', expect.stringContaining('robots.txt disallows /')],
      'slow.test': ['timeout', 'no complete answer within 1500 ms'],
      'missing.test': ['http_error', 'HTTP 404 Not Found'],
      'loop.test': ['http_error', expect.stringContaining('redirect loop')],
      'huge.test': ['too_large', expect.stringContaining('more than 2097152 bytes')],
      'pdf.test': ['not_html', 'the page is application/pdf, not HTML'],
      'empty.test': ['ok', null],
      'no-such-company.invalid': ['dns_error', expect.stringContaining('no-such-company.invalid')],
      'grain-mill.test': ['ok', null],
      'acme-widgets.com': ['http_error', 'connection refused'],
    });
    expect(sites.count('robots.test', '/')).toBe(0);
    expect(sites.count('bakery.test', '/private/admin')).toBe(0);
  });

  it('finds websites in the website column, in any cell, and from a business email', () => {
    const bakery = byHost(websites, 'bakery.test');
    expect(bakery).toMatchObject({ source: 'column', sourceColumn: 'Website', rowCount: 2 });
    expect(byHost(websites, 'grain-mill.test')).toMatchObject({
      source: 'cell',
      sourceColumn: 'Notes',
      url: sites.url('grain-mill.test'),
    });
    expect(byHost(websites, 'acme-widgets.com')).toMatchObject({
      source: 'email',
      sourceColumn: 'Email',
      url: 'https://acme-widgets.com/',
    });
  });

  it('says why a row has no website, and never uses a free-mail domain', async () => {
    const detail = await uploadDetail(t.http, uploadId);
    expect(detail.rowsWithoutWebsite).toEqual([
      {
        reason:
          'The "Website" column is empty; no web address in any other column; jane.doe@gmail.com is a free-mail address (gmail.com), not a company domain',
        count: 1,
        rowNumbers: [14],
      },
      {
        reason:
          'The "Website" column is empty; no web address in any other column; no email address to take a domain from',
        count: 1,
        rowNumbers: [16],
      },
    ]);
    expect(websites.some((w) => w.host.includes('gmail'))).toBe(false);
  });

  it('reads what a site says: title, emails, social links', () => {
    const bakery = byHost(websites, 'bakery.test');
    expect(bakery.title).toBe('Hansen Bakery | Sourdough bread baked in Aarhus since 1952');
    expect(bakery.emails.sort()).toEqual(['hello@hansen-bakery.test', 'orders@hansen-bakery.test']);
    expect(bakery.socialLinks.map((l) => l.network)).toEqual(['facebook', 'instagram', 'linkedin']);
  });

  it('grounds each message in the site and stores the snippets it used', () => {
    const bakery = byHost(websites, 'bakery.test');
    expect(bakery).toMatchObject({
      status: 'done',
      messageBasis: 'website',
      messageProvider: 'openai',
    });
    expect(bakery.message).toBe(`Hello Hansen Bakery team, a message written for ${bakery.url}.`);
    const snippetTexts = bakery.messageSnippets.map((s) => s.text);
    expect(snippetTexts).toEqual(
      expect.arrayContaining([
        expect.stringContaining('We deliver fresh bread and pastries to more than 40 offices'),
      ]),
    );
    const prompt = prompts.get(bakery.url)!;
    for (const text of snippetTexts) expect(prompt).toContain(text);
    expect(prompt).toContain('AI automation for order processing');
    expect(prompt).toContain('- Email: mette@hansen-bakery.test');
  });

  it('writes the fallback from the row fields, and says so, when a site has no usable content', () => {
    for (const host of ['empty.test', 'missing.test', 'slow.test', 'robots.test']) {
      const site = byHost(websites, host);
      expect(site).toMatchObject({
        status: 'done',
        messageBasis: 'row-fields',
        messageSnippets: [],
      });
      expect(site.message).toContain(site.url);
      expect(site.messageNote).toMatch(/^Written from the row's fields only: /);
    }
    expect(byHost(websites, 'empty.test').messageNote).toContain(
      'the website had no readable text',
    );
    expect(byHost(websites, 'missing.test').messageNote).toContain('HTTP 404 Not Found');
    const prompt = prompts.get(byHost(websites, 'missing.test').url)!;
    expect(prompt).not.toContain('Website excerpts');
  });

  it('downloads every original row with its website, scrape status and message', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const res = await t.http
        .get(`/api/uploads/${uploadId}/results?format=${format}`)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(res.headers['content-disposition']).toContain(`companies-results.${format}`);
      const path = join(scratch, `results.${format}`);
      await writeFile(path, res.body as Buffer);
      const sheet = await t.get(SpreadsheetService).open(path);
      expect(sheet.headers).toEqual([
        'Company',
        'Website',
        'Email',
        'Notes',
        'Website (Conveyor)',
        'Website found in',
        'No website because',
        'Scrape status',
        'Scrape detail',
        'Page title',
        'Message',
        'Message basis',
      ]);
      const rows = [];
      for await (const row of sheet) rows.push(row.values);
      expect(rows).toHaveLength(15);
      expect(rows[0]).toMatchObject({
        Company: 'Hansen Bakery',
        'Website (Conveyor)': sites.url('bakery.test'),
        'Website found in': 'column (Website)',
        'Scrape status': 'ok',
        'Page title': 'Hansen Bakery | Sourdough bread baked in Aarhus since 1952',
        'Message basis': 'website',
      });
      expect(rows[0].Message).toContain('Hello Hansen Bakery team');
      expect(rows[4]).toMatchObject({
        Company: 'Missing Co',
        'Scrape status': 'http_error',
        'Scrape detail': 'HTTP 404 Not Found',
      });
      expect(rows[12]).toMatchObject({
        Company: 'Jane Doe',
        'Website (Conveyor)': '',
        Message: '',
      });
      expect(rows[12]['No website because']).toContain('free-mail');
    }
  });

  it('shares scrapes across uploads (cache) and retries failed sites afresh', async () => {
    const homeRequests = sites.count('bakery.test', '/');
    const missingRequests = sites.count('missing.test', '/');
    const second = await uploadCsv(
      t.http,
      companiesCsv(
        ['Name', 'Homepage'],
        [
          ['Hansen', sites.url('bakery.test')],
          ['Missing', sites.url('missing.test')],
        ],
      ),
    );
    await t.drainQueues(30_000);
    let detail = await expectCountsAgree(t.http, second.id);
    expect(detail.status).toBe('completed');
    expect(byHost(detail.websites, 'bakery.test')).toMatchObject({
      outcome: 'ok',
      fromCache: true,
    });
    expect(byHost(detail.websites, 'missing.test')).toMatchObject({
      outcome: 'http_error',
      fromCache: true,
    });
    expect(sites.count('bakery.test', '/')).toBe(homeRequests);
    expect(sites.count('missing.test', '/')).toBe(missingRequests);

    const retried = await t.http.post(`/api/uploads/${second.id}/retry`).expect(202);
    expect(retried.body.status).toBe('processing');
    await t.drainQueues(30_000);
    detail = await expectCountsAgree(t.http, second.id);
    expect(detail.status).toBe('completed');
    // Only the failed site was fetched again, bypassing the cache.
    expect(sites.count('missing.test', '/')).toBe(missingRequests + 1);
    expect(sites.count('bakery.test', '/')).toBe(homeRequests);
    expect(byHost(detail.websites, 'missing.test')).toMatchObject({
      outcome: 'http_error',
      fromCache: false,
    });
    expect(detail.counts.messages).toBe(2);

    // Nothing failed any more on the first sheet? It still has failures: a retry there is allowed;
    // a sheet without failures says there is nothing to retry.
    const clean = await uploadCsv(t.http, companiesCsv(['Website'], [[sites.url('bakery.test')]]));
    await t.drainQueues(30_000);
    await expectCountsAgree(t.http, clean.id);
    const refused = await t.http.post(`/api/uploads/${clean.id}/retry`).expect(409);
    expect(refused.body.message).toBe('Nothing to retry: no website of this upload failed.');
  });

  it('rewrites every message with a new template', async () => {
    const before = prompts.size;
    const res = await t.http
      .put(`/api/uploads/${uploadId}/template`)
      .send({
        template: 'Two sentences for {{company}} ({{Notes}}) about {{offer}}.',
        offer: 'route planning',
      })
      .expect(200);
    expect(res.body.template).toBe('Two sentences for {{company}} ({{Notes}}) about {{offer}}.');
    await t.drainQueues(30_000);
    const detail = await expectCountsAgree(t.http, uploadId);
    expect(detail.status).toBe('completed');
    expect(detail.counts.messages).toBe(12);
    expect(prompts.get(byHost(detail.websites, 'bakery.test').url)).toContain(
      'Two sentences for Hansen Bakery (Organic bread) about route planning.',
    );
    expect(prompts.size).toBeGreaterThanOrEqual(before);
    const bad = await t.http
      .put(`/api/uploads/${uploadId}/template`)
      .send({ template: 'Hello {{Favourite colour}}, about {{offer}}' })
      .expect(400);
    expect(bad.body.message).toContain('{{Favourite colour}}');
  });
});

describe('bad input', () => {
  it('refuses a file with a header and no rows, and keeps nothing', async () => {
    const before = (await t.http.get('/api/uploads').expect(200)).body.length;
    const res = await t.http
      .post('/api/upload-from-frontend')
      .attach('file', Buffer.from('Company,Website\r\n'), 'empty.csv')
      .expect(422);
    expect(res.body.message).toBe('The file has a header row (Company, Website) but no data rows.');
    expect((await t.http.get('/api/uploads').expect(200)).body.length).toBe(before);
  });

  it('refuses a file that is not a spreadsheet, naming what it is', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const res = await t.http
      .post('/api/upload-from-frontend')
      .attach('file', png, 'list.csv')
      .expect(415);
    expect(res.body.message).toContain('PNG image');
  });

  it('refuses a template placeholder no column fills', async () => {
    const res = await t.http
      .post('/api/upload-from-frontend')
      .field('template', 'Write to {{Contact Person}} at {{company}}')
      .attach('file', companiesCsv(['Company', 'Website'], [['A', 'a.com']]), 'a.csv')
      .expect(400);
    expect(res.body.message).toContain('{{Contact Person}}');
  });

  it("answers 404 for another user's upload, as for a missing one", async () => {
    const other = await t.createUser();
    const mine = (await t.http.get('/api/uploads').expect(200)).body[0].id as string;
    const theirs = await other.http.get(`/api/uploads/${mine}`).expect(404);
    const missing = await other.http
      .get('/api/uploads/00000000-0000-4000-8000-000000000000')
      .expect(404);
    expect(theirs.body.message).toBe(missing.body.message);
    expect((await other.http.get('/api/uploads').expect(200)).body).toEqual([]);
  });

  it('deletes an upload with its results', async () => {
    const created = await uploadCsv(
      t.http,
      companiesCsv(['Website'], [[sites.url('bakery.test')]]),
    );
    await t.drainQueues(30_000);
    await t.http.delete(`/api/uploads/${created.id}`).expect(204);
    await t.http.get(`/api/uploads/${created.id}`).expect(404);
    const left: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM upload_websites WHERE upload_id = $1`,
      [created.id],
    );
    expect(left[0].n).toBe(0);
  });
});
