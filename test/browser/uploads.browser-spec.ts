import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { companiesCsv } from '../support/factories/uploads.js';
import { launchBrowser, type BrowserSession, type WatchedPage } from '../support/browser.js';
import { startSitesServer, type SitesServer } from '../support/sites-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The uploads pages in headless Chromium: upload through the form, watch the upload's page fill in
// by itself (live progress), retry the failed sites, and find the same counts on the list.
// Screenshots: test/artifacts/uploads-*.png.

let t: TestApp;
let sites: SitesServer;
let browser: BrowserSession;
let tab: WatchedPage;

beforeAll(async () => {
  sites = await startSitesServer({ pageDelayMs: 150 });
  t = await startTestApp({
    env: {
      SCRAPE_RESOLVE: '*.test=127.0.0.1',
      SCRAPE_ALLOW_PRIVATE: 'true',
      SCRAPE_POLITENESS_MS: '0',
      SCRAPE_CONCURRENCY: '2',
    },
  });
  browser = await launchBrowser();
  tab = await browser.newPage();
  await tab.page.goto(`${t.url}/login`);
  await tab.page.fill('[data-testid="login-key"]', t.user.key);
  await Promise.all([
    tab.page.waitForURL(`${t.url}/`),
    tab.page.click('[data-testid="login-submit"]'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await sites?.close();
});

describe('the uploads pages', () => {
  let detailUrl: string;

  it('uploads a list from the form and shows its progress live', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/uploads`);
    await expect(page.locator('[data-testid="upload-list"]').textContent()).resolves.toContain(
      'No uploads yet',
    );
    await browser.screenshot(page, 'uploads-empty');
    const csv = companiesCsv(
      ['Company', 'Website', 'Email'],
      [
        ['Hansen Bakery', sites.url('bakery.test'), ''],
        ['Moved Logistics', sites.url('moved.test'), ''],
        ...Array.from({ length: 8 }, (_, i) => [
          `Line ${i + 1}`,
          sites.url(`line-${i + 1}.test`),
          '',
        ]),
        ['Missing Co', sites.url('missing.test'), ''],
        ['Robots Inc', sites.url('robots.test'), ''],
        ['Jane Doe', '', 'jane@gmail.com'],
      ],
    );
    await page.setInputFiles('[data-testid="upload-file"]', {
      name: 'companies.csv',
      mimeType: 'text/csv',
      buffer: csv,
    });
    await expect(page.locator('[data-file-name]').textContent()).resolves.toBe('companies.csv');
    await Promise.all([
      page.waitForURL(/\/uploads\/[0-9a-f-]{36}$/),
      page.click('[data-testid="upload-submit"]'),
    ]);
    detailUrl = page.url();
    // The page updates itself while the sites are read (no reload by the test).
    await page.locator('[data-website-id]').first().waitFor({ timeout: 20_000 });
    await browser.screenshot(page, 'uploads-detail-progress');
    await page
      .locator('[data-testid="upload-status"]:text-is("completed")')
      .waitFor({ timeout: 60_000 });
    await page.waitForLoadState('load');
    const rows = page.locator('[data-website-id]');
    await expect(rows.count()).resolves.toBe(12);
    const bakery = page.locator('tr', { has: page.locator('a:text-is("bakery.test")') });
    await expect(bakery.locator('.badge').textContent()).resolves.toBe('ok');
    await expect(bakery.textContent()).resolves.toContain(
      'Hansen Bakery | Sourdough bread baked in Aarhus since 1952',
    );
    await expect(bakery.locator('.message').textContent()).resolves.toContain('Hansen');
    const missing = page.locator('tr', { has: page.locator('a:text-is("missing.test")') });
    await expect(missing.textContent()).resolves.toContain('HTTP 404 Not Found');
    await expect(missing.textContent()).resolves.toContain("Written from the row's fields only");
    await expect(
      page.locator('[data-testid="rows-without-website"]').textContent(),
    ).resolves.toContain('jane@gmail.com is a free-mail address');
    await expect(page.locator('[data-count="messages"]').first().textContent()).resolves.toBe('12');
    await browser.screenshot(page, 'uploads-detail');
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('retries the failed sites from the page', async () => {
    const { page } = tab;
    const before = sites.count('missing.test', '/');
    await expect(page.locator('[data-testid="retry"]').isEnabled()).resolves.toBe(true);
    await Promise.all([page.waitForURL(detailUrl), page.click('[data-testid="retry"]')]);
    await page
      .locator('[data-testid="upload-status"]:text-is("completed")')
      .waitFor({ timeout: 60_000 });
    expect(sites.count('missing.test', '/')).toBe(before + 1);
    expect(tab.errors).toEqual([]);
  });

  it('lists the upload with the same counts as its page', async () => {
    const { page } = tab;
    const id = detailUrl.split('/').pop()!;
    const detail = (await t.http.get(`/api/uploads/${id}`).expect(200)).body as {
      counts: Record<string, number>;
    };
    await page.goto(`${t.url}/uploads`);
    const row = page.locator(`tr[data-upload-id="${id}"]`);
    for (const key of ['rows', 'websitesFound', 'scrapedOk', 'failed', 'messages'])
      await expect(row.locator(`[data-count="${key}"]`).textContent()).resolves.toBe(
        String(detail.counts[key]),
      );
    await expect(row.locator('[data-field="status"]').textContent()).resolves.toBe('completed');
    await browser.screenshot(page, 'uploads-list');
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  });
});
