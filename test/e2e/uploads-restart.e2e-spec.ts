import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesMentioning, spawnConveyor } from '../support/conveyor-process.js';
import {
  companiesCsv,
  expectCountsAgree,
  uploadCsv,
  uploadDetail,
  type UploadDetailBody,
} from '../support/factories/uploads.js';
import { keyedHttp } from '../support/http.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';
import { startSitesServer } from '../support/sites-server.js';

// Acceptance 4 of issue 7: the real process (dist/src/main.js) is killed with SIGKILL while it
// scrapes, and started again on the same data and Redis: the upload completes, and no website is
// requested again after the moment it was stored as scraped. The sites server counts requests per
// site; each page takes 250 ms so the kill lands mid-way.

const REDIS = 'redis://127.0.0.1:6379';
const SITES = 30;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('SIGKILL during scraping', () => {
  it('completes after a restart without scraping a stored website again', async () => {
    const sites = await startSitesServer({ pageDelayMs: 250 });
    const dataDir = await mkdtemp(join(tmpdir(), 'uploads-restart-'));
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const env = {
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      QUEUE_PREFIX: prefix,
      SCRAPE_RESOLVE: '*.test=127.0.0.1',
      SCRAPE_ALLOW_PRIVATE: 'true',
      SCRAPE_POLITENESS_MS: '0',
      SCRAPE_CONCURRENCY: '4',
      // A killed process's jobs go back to the queue after ~2 s instead of 30.
      QUEUE_STALLED_SECONDS: '2',
    };
    const hosts = Array.from({ length: SITES }, (_, i) => `company-${i + 1}.test`);
    const first = spawnConveyor('dist/src/main.js', env);
    let second: ReturnType<typeof spawnConveyor> | undefined;
    try {
      const url = await first.ready;
      const key = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
      let http = keyedHttp(url, key);
      const created = await uploadCsv(
        http,
        companiesCsv(
          ['Company', 'Website'],
          hosts.map((host) => [host, sites.url(host)]),
        ),
      );

      // Wait until some websites are stored as scraped, but not all, then kill at once.
      const snapshot = await until<UploadDetailBody>(
        'some stored websites',
        async () => {
          const detail = await uploadDetail(http, created.id);
          const stored = detail.websites.filter((w) => w.status !== 'pending').length;
          return stored >= 5 && stored < SITES - 5 ? detail : undefined;
        },
        60_000,
      );
      const storedBefore = snapshot.websites
        .filter((w) => w.status !== 'pending')
        .map((w) => w.host);
      const requestsAtSnapshot = new Map(storedBefore.map((host) => [host, sites.count(host)]));
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      // The embedded database's child notices its parent is gone and exits.
      await until(
        'the embedded database to stop',
        async () => ((await processesMentioning(dataDir)).length === 0 ? true : undefined),
        20_000,
      );
      const inFlight = hosts.filter(
        (host) => !storedBefore.includes(host) && sites.count(host) > 0,
      );

      second = spawnConveyor('dist/src/main.js', env);
      http = keyedHttp(await second.ready, key);
      const done = await until(
        'the upload to complete',
        async () => {
          const detail = await uploadDetail(http, created.id);
          return detail.status === 'completed' ? detail : undefined;
        },
        90_000,
      );
      expect(done.counts).toMatchObject({
        websitesFound: SITES,
        scrapedOk: SITES,
        failed: 0,
        messages: SITES,
        pending: 0,
      });
      expect(done.websites.every((w) => w.status === 'done' && w.message)).toBe(true);
      await expectCountsAgree(http, created.id);

      // Stored before the kill: not one request since.
      for (const [host, count] of requestsAtSnapshot)
        expect([host, sites.count(host)]).toEqual([host, count]);
      // Each home page was fetched once, or twice for a site the kill interrupted mid-scrape.
      for (const host of hosts) {
        const homes = sites.count(host, '/');
        expect([host, homes <= (inFlight.includes(host) ? 2 : 1)]).toEqual([host, true]);
      }
      expect(storedBefore.length).toBeGreaterThanOrEqual(5);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      if (second) await second.exited;
      await sites.close();
      await deleteKeysWithPrefix(REDIS, prefix);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
