import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { competentModel, isWeightRequest } from '../support/factories/articles.js';
import { makePdf } from '../support/factories/documents.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { launchBrowser, type BrowserSession, type WatchedPage } from '../support/browser.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The articles pages in headless Chromium: submit a specification through the form, watch the
// article's page follow the analysis by itself (status, step), then find the weight and the cost
// breakdown chart; the list shows the same. Screenshots: test/artifacts/articles-*.png.

let t: TestApp;
let fake: FakeOpenAI;
let browser: BrowserSession;
let tab: WatchedPage;
/** Holds the weight answer until the test has seen the page in its processing state. */
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  fake = await startFakeOpenAI({
    latencyMs: 0,
    respond: async (req) => {
      if (isWeightRequest(req)) await released;
      return competentModel(req);
    },
  });
  t = await startTestApp({ env: llmTestEnv(fake.url) });
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
  release();
  await browser?.close();
  await t?.close();
  await fake?.stop();
});

describe('the articles pages', () => {
  it('submits a PDF specification and follows the analysis live to the weight and the chart', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/articles`);
    await expect(page.locator('[data-testid="article-list"]').textContent()).resolves.toContain(
      'No articles yet',
    );
    await page.fill('[data-testid="article-name"]', 'Bracket B-200');
    await page.fill('#article-description', 'Zinc plated steel bracket');
    await page.setInputFiles('[data-testid="article-spec"]', {
      name: 'bracket.pdf',
      mimeType: 'application/pdf',
      buffer: makePdf(['Bracket B-200', 'Material: steel', 'Net weight: 1.75 kg']),
    });
    await expect(page.locator('[data-file-name]').textContent()).resolves.toBe('bracket.pdf');
    await browser.screenshot(page, 'articles-form');
    await Promise.all([
      page.waitForURL(/\/articles\/[0-9a-f-]{36}$/),
      page.click('[data-testid="article-submit"]'),
    ]);
    // The page polls the status endpoint: it shows the step while the weight is extracted.
    await page
      .locator('[data-field="step"]', { hasText: 'Extracting the weight' })
      .waitFor({ timeout: 15_000 });
    await expect(page.locator('[data-testid="article-status"]').textContent()).resolves.toBe(
      'processing',
    );
    await browser.screenshot(page, 'articles-detail-processing');
    release();
    // Then it reloads itself once the analysis has finished.
    await page
      .locator('[data-testid="article-status"]', { hasText: 'completed' })
      .waitFor({ timeout: 20_000 });
    await expect(page.locator('[data-testid="article-weight"]').textContent()).resolves.toBe(
      '1.75 kg',
    );
    const bars = page.locator('[data-testid="cost-chart"] rect');
    await expect(bars.count()).resolves.toBe(3);
    await expect(page.locator('[data-testid="cost-model"]').textContent()).resolves.toContain(
      '50.0%',
    );
    await browser.screenshot(page, 'articles-detail-completed');
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('lists the article with its status and weight', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/articles`);
    const row = page.locator('[data-article-id]').first();
    await expect(row.textContent()).resolves.toContain('Bracket B-200');
    await expect(row.locator('[data-field="status"]').textContent()).resolves.toBe('completed');
    await expect(row.locator('[data-field="weight"]').textContent()).resolves.toBe('1.75 kg');
    await browser.screenshot(page, 'articles-list');
    expect(tab.errors).toEqual([]);
  });

  it('shows a refused file in place, naming the problem', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/articles`);
    await page.fill('[data-testid="article-name"]', 'Zip file');
    await page.setInputFiles('[data-testid="article-spec"]', {
      name: 'archive.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([Buffer.from('504b0304140000000800', 'hex'), Buffer.alloc(100)]),
    });
    await page.click('[data-testid="article-submit"]');
    const error = page.locator('[data-testid="article-error"]');
    await error.waitFor({ state: 'visible' });
    await expect(error.textContent()).resolves.toContain('productSpecification');
    expect(page.url()).toBe(`${t.url}/articles`);
  });
});
