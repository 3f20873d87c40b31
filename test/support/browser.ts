import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; the flags keep it off the network (no updates, sync or QUIC probes). */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS = resolve('test/artifacts');

export interface WatchedPage {
  page: Page;
  /** Content-Security-Policy violations the page reported (securitypolicyviolation events and console). */
  cspViolations: string[];
  /** Uncaught errors and console errors. */
  errors: string[];
}

export interface BrowserSession {
  context: BrowserContext;
  /** A new tab that records CSP violations and errors from its first document on. */
  newPage(): Promise<WatchedPage>;
  /** Saves a full-page PNG as test/artifacts/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile of its own (a temporary --user-data-dir). */
export async function launchBrowser(): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), 'conveyor-chromium-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const watched: WatchedPage = { page, cspViolations: [], errors: [] };
      await page.exposeBinding('__conveyorCspViolation', (_source, report: string) => {
        watched.cspViolations.push(report);
      });
      // Runs in the page (before its own scripts), so no Node types here: plain JavaScript.
      await page.addInitScript({
        content: `document.addEventListener('securitypolicyviolation', (event) => {
          window.__conveyorCspViolation(event.violatedDirective + ' blocked ' +
            (event.blockedURI || 'inline') + ' on ' + event.documentURI +
            (event.sample ? ': ' + event.sample : ''));
        });`,
      });
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const text = message.text();
        if (/Content Security Policy/i.test(text)) watched.cspViolations.push(text);
        else watched.errors.push(text);
      });
      page.on('pageerror', (error) => watched.errors.push(error.message));
      return watched;
    },
    async screenshot(page, name) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
