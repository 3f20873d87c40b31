import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { launchBrowser, type BrowserSession, type WatchedPage } from '../support/browser.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import {
  feedmeFixture,
  qaExtractionResponder,
  uploadTranscript,
} from '../support/factories/feedme.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The chat page in headless Chromium: create a chatbot, send a message, watch the answer stream in
// over SSE with its citation, reload in the middle of the answer and see the whole answer with no
// token twice (acceptance 4), and the same answer by polling when the browser has no EventSource.
// Screenshots: test/artifacts/conversations-*.png.

const WORDS = 60;
const ANSWER = ['Answer:', ...Array.from({ length: WORDS }, (_, i) => `word${i + 1}`)].join(' ');

let t: TestApp;
let fake: FakeOpenAI;
let browser: BrowserSession;
let tab: WatchedPage;

beforeAll(async () => {
  fake = await startFakeOpenAI({
    latencyMs: 100,
    tokensPerSecond: 15,
    // FeedMe's extraction of the transcript's Q&A pairs; every chat answer is ANSWER.
    respond: (req) => qaExtractionResponder(req) ?? { content: ANSWER },
  });
  t = await startTestApp({
    env: llmTestEnv(fake.url, { LLM_TIMEOUT_MS: '5000' }),
  });
  // The knowledge the answers cite: a support transcript, through FeedMe.
  const upload = await uploadTranscript(
    t.http,
    await feedmeFixture('chat.txt'),
    'chat.txt',
    'Support call 42',
    true,
  );
  if (upload.status !== 202) throw new Error(JSON.stringify(upload.body));
  await t.drainQueues();
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

describe('the chat page', () => {
  it('creates a chatbot from the page', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/chat`);
    await expect(page.locator('.chat-side').textContent()).resolves.toContain('No chatbot yet');
    await page.fill('[data-testid="chatbot-name"]', 'Helper');
    await page.fill('[data-testid="chatbot-slug"]', 'helper');
    await Promise.all([
      page.waitForURL(/\/chat\?chatbot=/),
      page.click('[data-testid="chatbot-create"]'),
    ]);
    await expect(page.locator('[data-testid="chatbot-select"]').textContent()).resolves.toContain(
      'Helper (helper)',
    );
  });

  it('streams an answer with its citation; a reload mid-answer shows it whole, no token twice', async () => {
    const { page } = tab;
    await page.fill('[data-testid="chat-input"]', 'How do I reset my password?');
    await page.click('[data-testid="chat-send"]');
    const bot = page.locator('.chat-bot').last();
    // Part of the answer is on screen (word10 of 60 at 15 tokens/s), not all of it.
    await bot.locator('.chat-text', { hasText: 'word10 ' }).waitFor({ timeout: 15_000 });
    await expect(bot.getAttribute('data-finished')).resolves.toBeNull();
    await expect(page.locator('[data-testid="citations"]').textContent()).resolves.toContain(
      'Support call 42',
    );
    expect(page.url()).toMatch(/\/chat\?session=[0-9a-f-]{36}$/);
    await browser.screenshot(page, 'conversations-streaming');

    await page.reload();
    const resumed = page.locator('.chat-bot').last();
    // Still mid-answer after the reload: the page picks the stream up again.
    await expect(resumed.getAttribute('data-stream')).resolves.toMatch(/^[0-9a-f-]{36}$/);
    await page.waitForSelector('.chat-bot[data-finished="true"]', { timeout: 20_000 });
    const text = await resumed.locator('.chat-text').textContent();
    expect(text).toBe(ANSWER);
    const words = text!.split(' ');
    expect(new Set(words).size).toBe(words.length);
    await expect(page.locator('[data-testid="citations"]').textContent()).resolves.toContain(
      'Support call 42',
    );
    await expect(page.locator('.chat-user').last().textContent()).resolves.toContain(
      'How do I reset my password?',
    );
    await browser.screenshot(page, 'conversations-resumed');

    // Reloaded after the end: the stored answer, once.
    await page.reload();
    await expect(page.locator('.chat-bot .chat-text').last().textContent()).resolves.toBe(ANSWER);
    await expect(page.locator('.chat-bot').count()).resolves.toBe(1);
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('follows the answer by polling when the browser has no EventSource', async () => {
    const polling = await browser.newPage();
    await polling.page.addInitScript({ content: 'window.EventSource = undefined;' });
    const { page } = polling;
    await page.goto(`${t.url}/chat`);
    await page.fill('[data-testid="chat-input"]', 'And by polling?');
    await page.click('[data-testid="chat-send"]');
    await page.waitForSelector('.chat-bot[data-finished="true"]', { timeout: 20_000 });
    await expect(page.locator('.chat-bot .chat-text').last().textContent()).resolves.toBe(ANSWER);
    await browser.screenshot(page, 'conversations-polling');
    expect(polling.cspViolations).toEqual([]);
    expect(polling.errors).toEqual([]);
    await page.close();
  });
});
