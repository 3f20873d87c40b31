import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PLATFORM_QUEUE, type PlatformJobs } from '../../src/core/housekeeping/platform.jobs.js';
import type { JobQueue } from '../../src/core/queue/job-queue.js';
import { jobQueueToken } from '../../src/core/queue/queue.module.js';
import { launchBrowser, type BrowserSession, type WatchedPage } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// What an operator sees on the dashboard: every dependency up, the queues with their counts (kept
// current by the page itself), the offline banner, and the way to the modules. Screenshot:
// test/artifacts/platform-dashboard.png.

let t: TestApp;
let browser: BrowserSession;
let tab: WatchedPage;

beforeAll(async () => {
  t = await startTestApp();
  browser = await launchBrowser();
  tab = await browser.newPage();
  const { page } = tab;
  await page.goto(`${t.url}/login`);
  await page.fill('[data-testid="login-key"]', t.user.key);
  await Promise.all([page.waitForURL(`${t.url}/`), page.click('[data-testid="login-submit"]')]);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the dashboard in a browser', () => {
  it('shows the database, Redis and LLM status, the queues and the offline banner', async () => {
    const { page } = tab;
    await expect(page.locator('h1').textContent()).resolves.toBe('Dashboard');
    const cards = page.locator('[data-testid="status-cards"]');
    await expect(cards.locator('[data-field="database"]').textContent()).resolves.toBe('Up');
    await expect(cards.locator('[data-field="redis"]').textContent()).resolves.toBe('Up');
    await expect(cards.locator('[data-field="llm"]').textContent()).resolves.toBe('Offline');
    await expect(cards.textContent()).resolves.toContain('pgvector');
    await expect(page.locator('tr[data-queue="platform"] td').first().textContent()).resolves.toBe(
      'platform',
    );
    await expect(page.locator('[data-testid="offline-banner"]').isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-testid="recent-work"]').textContent()).resolves.toContain(
      'Nothing processed yet',
    );
    await browser.screenshot(page, 'platform-dashboard');
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('keeps the queue counts current without a reload', async () => {
    const { page } = tab;
    const delayed = page.locator('tr[data-queue="platform"] [data-count="delayed"]');
    const before = Number(await delayed.textContent());
    const queue = t.get<JobQueue<PlatformJobs>>(jobQueueToken(PLATFORM_QUEUE));
    await queue.add(
      'housekeeping',
      { trigger: 'manual' },
      { delayMs: 600_000, jobId: 'browser-test-delayed' },
    );
    // The page polls /health; its own script updates the cell (no reload, no eval: the CSP forbids it).
    await page
      .locator(`tr[data-queue="platform"] [data-count="delayed"]:text-is("${before + 1}")`)
      .waitFor({ timeout: 10_000 });
    await queue.removeIfWaiting(['browser-test-delayed']);
    expect(tab.errors).toEqual([]);
  });
});
