import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { companiesCsv, expectCountsAgree, uploadCsv } from '../support/factories/uploads.js';
import { startSitesServer, type SitesServer } from '../support/sites-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Acceptance 3 of issue 7: with private addresses not allowed (the default), a URL that resolves
// to 127.0.0.1 or 169.254.169.254 is refused after DNS resolution, before any connection. The
// names resolve through SCRAPE_RESOLVE (an injected resolver: nothing here reaches real DNS); the
// sites server on 127.0.0.1 counts every request it gets. Offline LLM mode.

let t: TestApp;
let sites: SitesServer;

beforeAll(async () => {
  sites = await startSitesServer();
  t = await startTestApp({
    env: {
      SCRAPE_RESOLVE: 'intranet.test=127.0.0.1,metadata.test=169.254.169.254,bakery.test=127.0.0.1',
      SCRAPE_POLITENESS_MS: '0',
    },
  });
  expect(t.config.uploads.scrape.allowPrivate).toBe(false);
});

afterAll(async () => {
  await t?.close();
  await sites?.close();
});

describe('private addresses', () => {
  it('refuses names and literals that resolve to loopback or link-local addresses', async () => {
    const created = await uploadCsv(
      t.http,
      companiesCsv(
        ['Company', 'Website'],
        [
          ['Intranet', sites.url('intranet.test')],
          ['Metadata', 'http://metadata.test/latest/meta-data/iam/security-credentials/'],
          ['Bakery', sites.url('bakery.test')],
          ['Loopback', `http://127.0.0.1:${sites.port}/`],
          ['Link-local', 'http://169.254.169.254/latest/meta-data/'],
          ['Localhost', `http://localhost:${sites.port}/`],
          ['Mapped', `http://[::ffff:127.0.0.1]:${sites.port}/`],
        ],
      ),
    );
    await t.drainQueues(30_000);
    const detail = await expectCountsAgree(t.http, created.id);
    expect(detail.status).toBe('completed');
    expect(detail.websites.map((w) => [w.host, w.outcome])).toEqual([
      ['intranet.test', 'refused_private'],
      ['metadata.test', 'refused_private'],
      ['bakery.test', 'refused_private'],
      ['127.0.0.1', 'refused_private'],
      ['169.254.169.254', 'refused_private'],
      ['localhost', 'refused_private'],
      ['[::ffff:7f00:1]', 'refused_private'],
    ]);
    expect(detail.websites[0].outcomeDetail).toBe(
      'intranet.test resolves to 127.0.0.1, a private, loopback or link-local address',
    );
    expect(detail.websites[1].outcomeDetail).toBe(
      'metadata.test resolves to 169.254.169.254, a private, loopback or link-local address',
    );
    // Not one request reached the server: the check comes before connecting.
    expect(sites.requests).toEqual([]);
    // Each still gets a message, from the row's fields, saying why (offline provider here).
    for (const site of detail.websites) {
      expect(site).toMatchObject({
        status: 'done',
        messageBasis: 'row-fields',
        messageProvider: 'offline',
      });
      expect(site.messageNote).toContain('refused_private');
    }
    expect(detail.counts).toMatchObject({ websitesFound: 7, scrapedOk: 0, failed: 7, messages: 7 });
  });
});
