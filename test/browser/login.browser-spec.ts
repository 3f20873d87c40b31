import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { launchBrowser, type BrowserSession, type WatchedPage } from '../support/browser.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

// A person with a key: signs in through the form, sees the dashboard with their email, creates and
// revokes a key on the keys page, signs out. No page (nor Swagger UI) trips the CSP.
// Screenshots land in test/artifacts/.

let t: TestApp;
let browser: BrowserSession;
let ada: TestUser;
let tab: WatchedPage;

beforeAll(async () => {
  t = await startTestApp();
  ada = await t.createUser({ email: 'ada@example.com' });
  browser = await launchBrowser();
  tab = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('signing in and managing keys in a browser', () => {
  it('sends a visitor to the login form and refuses a wrong key', async () => {
    const { page } = tab;
    await page.goto(`${t.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/');
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
    await browser.screenshot(page, 'login');

    await page.fill('[data-testid="login-key"]', `cvk_${'x'.repeat(43)}`);
    await page.click('[data-testid="login-submit"]');
    await expect(page.locator('[data-testid="login-error"]').textContent()).resolves.toContain(
      'That key is not valid',
    );
    await browser.screenshot(page, 'login-error');
    // The refused form answers 401, which Chromium logs as a failed load: expected here only.
    expect(tab.errors).toEqual([
      'Failed to load resource: the server responded with a status of 401 (Unauthorized)',
    ]);
    tab.errors.length = 0;
  });

  it('signs in with a key and shows the dashboard with the user’s email', async () => {
    const { page } = tab;
    await page.fill('[data-testid="login-key"]', ada.key);
    await Promise.all([page.waitForURL(`${t.url}/`), page.click('[data-testid="login-submit"]')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Dashboard');
    await expect(page.locator('[data-testid="account-email"]').textContent()).resolves.toBe(
      'ada@example.com',
    );
    await page.locator('[data-testid="status-cards"]').waitFor();
    await browser.screenshot(page, 'dashboard');
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('creates a key on the keys page, shows it once, and it works', async () => {
    const { page } = tab;
    await page.click('a.account-link[href="/keys"]');
    await expect(page.locator('h1').textContent()).resolves.toBe('API keys');
    await page.fill('[data-testid="key-name"]', 'Browser test');
    await page.click('[data-testid="create-key"]');
    const shown = await page.locator('[data-testid="new-key-value"]').inputValue();
    expect(shown).toMatch(/^cvk_[A-Za-z0-9_-]{43}$/);
    await request(t.url).get('/api/users/me').set('X-API-Key', shown).expect(200);
    await expect(
      page.locator(`tr[data-key-prefix="${shown.slice(0, 12)}"]`).textContent(),
    ).resolves.toContain('Browser test');
    await browser.screenshot(page, 'keys-created');

    await page.goto(`${t.url}/keys`);
    expect(await page.content()).not.toContain(shown);
    (globalThis as { createdKey?: string }).createdKey = shown;
  });

  it('revokes that key after a confirmation; it stops working at once', async () => {
    const { page } = tab;
    const shown = (globalThis as { createdKey?: string }).createdKey!;
    const row = page.locator(`tr[data-key-prefix="${shown.slice(0, 12)}"]`);
    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await Promise.all([
      page.waitForURL(/\/keys\?revoked=/),
      row.locator('[data-testid="revoke"]').click(),
    ]);
    expect(dialogs).toEqual(['Revoke “Browser test”? Anything using it stops working at once.']);
    await expect(page.locator('[data-testid="keys-notice"]').textContent()).resolves.toContain(
      'Revoked “Browser test”',
    );
    await expect(row.locator('.badge-revoked').textContent()).resolves.toBe('revoked');
    await request(t.url).get('/api/users/me').set('X-API-Key', shown).expect(401);
    // The key the browser signed in with is marked, and still works.
    await expect(page.locator('tr', { hasText: 'this session' }).count()).resolves.toBe(1);
    await browser.screenshot(page, 'keys-revoked');
    expect(tab.cspViolations).toEqual([]);
  });

  it('renders Swagger UI at /docs without any CSP violation', async () => {
    const docs = await browser.newPage();
    await docs.page.goto(`${t.url}/docs`);
    await docs.page.locator('.swagger-ui .info .title').waitFor();
    await docs.page.locator('.opblock-tag', { hasText: 'keys' }).first().waitFor();
    await expect(docs.page.locator('.opblock').count()).resolves.toBeGreaterThan(5);
    await docs.page.locator('button.authorize').waitFor();
    await browser.screenshot(docs.page, 'docs');
    expect(docs.cspViolations).toEqual([]);
    expect(docs.errors).toEqual([]);
    await docs.page.close();
  });

  it('signs out, after which pages send the browser back to the login form', async () => {
    const { page } = tab;
    await Promise.all([
      page.waitForURL(/\/login\?signedOut=1/),
      page.click('[data-testid="logout"]'),
    ]);
    await expect(page.locator('[data-testid="login-notice"]').textContent()).resolves.toBe(
      'You have signed out.',
    );
    await browser.screenshot(page, 'signed-out');
    await page.goto(`${t.url}/keys`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/keys');
    expect(tab.cspViolations).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('would notice an inline script: the CSP blocks it and the watcher reports it', async () => {
    const probe = await browser.newPage();
    await probe.page.goto(`${t.url}/login`);
    await probe.page.addScriptTag({ content: 'window.injected = true;' }).catch(() => undefined);
    await expect(probe.page.evaluate('window.injected === true')).resolves.toBe(false);
    for (let i = 0; i < 100 && probe.cspViolations.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(probe.cspViolations.join('\n')).toContain("script-src 'self'");
    await probe.page.close();
  });

  it('shows administrators the users page', async () => {
    const admin = await browser.newPage();
    await admin.page.goto(`${t.url}/login?next=%2Fusers`);
    await admin.page.fill('[data-testid="login-key"]', t.user.key);
    await Promise.all([
      admin.page.waitForURL(`${t.url}/users`),
      admin.page.click('[data-testid="login-submit"]'),
    ]);
    await expect(admin.page.locator('h1').textContent()).resolves.toBe('Users');
    await expect(admin.page.locator('table').textContent()).resolves.toContain('ada@example.com');
    await browser.screenshot(admin.page, 'users');
    expect(admin.cspViolations).toEqual([]);
    await admin.page.close();
  });
});
