import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { emailResponder, leadsCsv } from '../support/factories/leads.js';
import { launchBrowser, type BrowserSession, type WatchedPage } from '../support/browser.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The email pages in headless Chromium: upload a lead file through the form, watch the job's page
// fill in by itself (server-sent events), pause and resume it, download; preview the first rows of
// another file before starting it. Screenshots: test/artifacts/email-generation-*.png.

/** Polls an element's text until `test` accepts it (the page updates itself; nothing reloads it). */
async function waitForText(
  page: WatchedPage['page'],
  selector: string,
  test: (text: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text =
      (await page
        .locator(selector)
        .first()
        .textContent()
        .catch(() => null)) ?? '';
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`${selector} still says "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let t: TestApp;
let fake: FakeOpenAI;
let browser: BrowserSession;
let tab: WatchedPage;

beforeAll(async () => {
  // 10 rows a second: a 60-row job runs for a few seconds, long enough to watch and to pause.
  fake = await startFakeOpenAI({ latencyMs: 100, respond: emailResponder });
  t = await startTestApp({
    env: llmTestEnv(fake.url, { LLM_RPM: '600', LLM_TIMEOUT_MS: '15000', EMAIL_CONCURRENCY: '2' }),
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
  await fake?.stop();
});

describe('the email pages', () => {
  it('uploads a lead file, shows live progress, pauses, resumes and offers the download', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/email-generation`);
    await expect(page.locator('[data-testid="email-job-list"]').textContent()).resolves.toContain(
      'No email jobs yet',
    );
    await browser.screenshot(page, 'email-generation-empty');
    await page.setInputFiles('[data-testid="email-file"]', {
      name: 'leads.csv',
      mimeType: 'text/csv',
      buffer: leadsCsv(60),
    });
    await expect(page.locator('[data-file-name]').textContent()).resolves.toBe('leads.csv');
    await page.fill('[data-testid="email-offer"]', 'AI automation for order processing');
    await Promise.all([
      page.waitForURL(/\/email-generation\/[0-9a-f-]{36}$/),
      page.click('[data-testid="email-upload-submit"]'),
    ]);
    // The counter moves without a reload (server-sent events).
    await waitForText(
      page,
      '[data-testid="job-done"]',
      (text) => Number(text) > 0 && Number(text) < 60,
      20_000,
    );
    await browser.screenshot(page, 'email-generation-progress');

    await Promise.all([page.waitForLoadState('load'), page.click('[data-testid="pause"]')]);
    await expect(page.locator('[data-testid="job-status"]').textContent()).resolves.toBe('paused');
    await expect(page.locator('[data-testid="job-problem"]').textContent()).resolves.toContain(
      'Paused by hand',
    );
    await browser.screenshot(page, 'email-generation-paused');

    await page.click('[data-testid="resume"]');
    // Finished: the page reloads itself with the samples and the controls of a finished job.
    await waitForText(page, '[data-testid="job-status"]', (text) => text === 'completed', 30_000);
    await page.locator('[data-testid="sample-emails"] .message').first().waitFor();
    await expect(page.locator('[data-testid="job-done"]').textContent()).resolves.toBe('60');
    const sample = await page
      .locator('[data-testid="sample-emails"] .message')
      .first()
      .textContent();
    expect(sample).toMatch(/^Hi \S+, I noticed/);
    const href = await page.locator('[data-testid="download-xlsx"]').getAttribute('href');
    expect(href).toMatch(/^\/api\/email-generation\/download\/[0-9a-f-]{36}\?format=xlsx$/);
    const download = await page.request.get(`${t.url}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toContain('leads-emails.xlsx');
    await browser.screenshot(page, 'email-generation-completed');

    await page.goto(`${t.url}/email-generation`);
    await expect(
      page.locator('[data-testid="email-job-list"] [data-count="done"]').first().textContent(),
    ).resolves.toBe('60');
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  }, 90_000);

  it('previews the first rows before starting', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/email-generation`);
    await page.setInputFiles('[data-testid="email-file"]', {
      name: 'preview.csv',
      mimeType: 'text/csv',
      buffer: leadsCsv(8),
    });
    await page.check('[data-testid="email-preview-first"]');
    await Promise.all([
      page.waitForURL(/\/email-generation\/[0-9a-f-]{36}\/preview$/),
      page.click('[data-testid="email-upload-submit"]'),
    ]);
    await page.fill(
      '[data-testid="preview-template"]',
      'Write to {{first_name}} ({{title}}) at {{company}}, 50-70 words, no signature.',
    );
    await Promise.all([
      page.waitForLoadState('load'),
      page.click('[data-testid="preview-submit"]'),
    ]);
    expect(await page.locator('[data-testid="preview-email"]').count()).toBe(3);
    await browser.screenshot(page, 'email-generation-preview');
    await Promise.all([
      page.waitForURL(/\/email-generation\/[0-9a-f-]{36}$/),
      page.click('[data-testid="preview-start"]'),
    ]);
    await waitForText(page, '[data-testid="job-status"]', (text) => text === 'completed', 30_000);
    await expect(page.locator('[data-testid="job-done"]').textContent()).resolves.toBe('8');
    expect(tab.errors).toEqual([]);
  }, 60_000);
});
