import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { feedmeFixture } from '../support/factories/feedme.js';
import { launchBrowser, type BrowserSession, type WatchedPage } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The FeedMe pages in headless Chromium (issue 8, acceptance 2 and 4): an HTML transcript with
// <script>, onload= and onerror= uploaded through the form renders inert on every FeedMe page (no
// script runs, no dialog opens, nothing even tries: no CSP report); its example is edited, diffed
// and rolled back in the editor, and the search page finds the rolled-back text.
// Screenshots: test/artifacts/feedme-*.png.

let t: TestApp;
let browser: BrowserSession;
let tab: WatchedPage;
const dialogs: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  browser = await launchBrowser();
  tab = await browser.newPage();
  tab.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
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
});

/** Nothing the transcript carried ran: its scripts set window.__feedmeXss or call alert(). */
async function expectInert(): Promise<void> {
  const { page } = tab;
  await expect(page.evaluate('typeof window.__feedmeXss')).resolves.toBe('undefined');
  expect(dialogs).toEqual([]);
  expect(tab.cspViolations).toEqual([]);
  expect(tab.errors).toEqual([]);
  const html = await page.content();
  expect(html).not.toMatch(/<script>window\.__feedmeXss|onerror=|onload=|javascript:/i);
}

describe('the FeedMe pages', () => {
  let conversationUrl: string;
  let exampleUrl: string;

  it('uploads an HTML transcript from the form, shows its progress live, and renders it inert', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/feedme`);
    await expect(page.locator('[data-testid="feedme-list"]').textContent()).resolves.toContain(
      'No transcripts yet',
    );
    await page.fill('[data-testid="feedme-title"]', 'Shipping chat <b>#4411</b>');
    await page.setInputFiles('[data-testid="feedme-file"]', {
      name: 'chat.html',
      mimeType: 'text/html',
      buffer: await feedmeFixture('chat.html'),
    });
    await Promise.all([
      page.waitForURL(/\/feedme\/conversations\/[0-9a-f-]{36}$/),
      page.click('[data-testid="feedme-submit"]'),
    ]);
    conversationUrl = page.url();
    // The page polls the status and reloads itself when processing ends (no reload by the test).
    await page.locator('[data-testid="example-link"]').first().waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid="conversation-status"]').textContent()).resolves.toBe(
      'completed',
    );
    await expect(page.locator('[data-testid="conversation-title"]').textContent()).resolves.toBe(
      'Shipping chat <b>#4411</b>',
    );
    const transcript = page.locator('[data-testid="transcript-html"]');
    await expect(transcript.textContent()).resolves.toContain('Do you ship to Norway?');
    await expect(
      transcript.locator('script, img, iframe, [onerror], [onload]').count(),
    ).resolves.toBe(0);
    await expect(page.locator('[data-testid="example-link"]').count()).resolves.toBe(2);
    await browser.screenshot(page, 'feedme-conversation');
    await expectInert();

    await page.goto(`${t.url}/feedme`);
    await expect(page.locator('[data-testid="feedme-list"]').textContent()).resolves.toContain(
      'Shipping chat <b>#4411</b>',
    );
    await expectInert();
    await browser.screenshot(page, 'feedme-list');
  });

  it('edits an example into a new version, shows the diff, and rolls it back', async () => {
    const { page } = tab;
    await page.goto(conversationUrl);
    await Promise.all([
      page.waitForURL(/\/feedme\/examples\//),
      page.locator('[data-testid="example-link"]').nth(1).click(),
    ]);
    exampleUrl = page.url();
    const original = await page.inputValue('[data-testid="ex-answer"]');
    expect(original).toContain('we ship to Norway');
    await expectInert();

    await page.fill(
      '[data-testid="ex-answer"]',
      'Yes, Zorblax Express delivers to Norway overnight.',
    );
    await page.fill('[data-testid="ex-note"]', 'new courier');
    await Promise.all([page.waitForURL(exampleUrl), page.click('[data-testid="ex-save"]')]);
    await expect(page.locator('h1').textContent()).resolves.toContain('v2');
    await expect(page.locator('[data-testid="history"] tr[data-version]').count()).resolves.toBe(2);
    await expect(page.locator('[data-testid="diff"] ins').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('Zorblax Express')]),
    );
    await expect(page.locator('[data-testid="diff"] del').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('standard delivery')]),
    );
    await expect(page.locator('[data-testid="history"]').textContent()).resolves.toContain(
      'new courier',
    );
    // Only the answer changed (the textareas' CRLF line breaks are not a change of context).
    await expect(page.locator('tr[data-version="2"] td').nth(1).textContent()).resolves.toMatch(
      /^\s*edit\s*answer\s+new courier\s*$/,
    );
    await browser.screenshot(page, 'feedme-editor-diff');

    await Promise.all([page.waitForURL(exampleUrl), page.click('[data-testid="rollback-1"]')]);
    await expect(page.locator('h1').textContent()).resolves.toContain('v3');
    await expect(page.inputValue('[data-testid="ex-answer"]')).resolves.toBe(original);
    await expect(
      page.locator('[data-testid="history"] tr[data-version="3"]').textContent(),
    ).resolves.toMatch(/rollback\s+to v1/);
    await expectInert();
    await browser.screenshot(page, 'feedme-editor-rollback');
  });

  it('searches from the search page and finds the rolled-back text', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/feedme/search`);
    await page.fill('[data-testid="search-q"]', 'Do you deliver orders to Norway?');
    await page.fill('[data-testid="search-threshold"]', '0.2');
    await Promise.all([
      page.waitForURL(/\/feedme\/search\?/),
      page.click('[data-testid="search-submit"]'),
    ]);
    const first = page.locator('[data-testid="search-results"] tbody tr').first();
    await expect(first.textContent()).resolves.toContain(
      'we ship to Norway with standard delivery',
    );
    await expect(
      page.locator('[data-testid="search-results"]').textContent(),
    ).resolves.not.toContain('Zorblax');
    await expectInert();
    await browser.screenshot(page, 'feedme-search');
  });
});
