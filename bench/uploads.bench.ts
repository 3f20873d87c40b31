// Uploads (issue 7): 2,000 websites through extraction, scraping and message generation.
// The sites server (100 ms per page, three pages per site plus robots.txt) and the fake OpenAI
// server (50 ms per answer) run as processes of their own; the app runs here on the embedded
// database, politeness off. Figures: websites/s from upload to the last message (target >= 50),
// time to list the websites, and the app process's peak RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../src/core/project-root.js';
import { companiesCsv } from '../test/support/factories/companies-csv.js';
import { startTestApp } from '../test/support/test-app.js';
import { BenchReport } from './bench-report.js';

const WEBSITES = 2000;
const PAGE_DELAY_MS = 100;
const LLM_LATENCY_MS = 50;

async function startProcess(
  script: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [join(projectRoot(), script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = ready.exec(out);
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}: ${out}`)));
  });
  return { child, match };
}

const report = new BenchReport('uploads');
const sites = await startProcess(
  'dist/test/support/sites-server-cli.js',
  ['--page-delay-ms', String(PAGE_DELAY_MS)],
  /listening on port (\d+)/,
);
const fake = await startProcess(
  'dist/test/support/fake-openai/cli.js',
  ['--port', '0', '--latency-ms', String(LLM_LATENCY_MS)],
  /listening at (\S+)/,
);
const port = Number(sites.match[1]);
const t = await startTestApp({
  env: {
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: fake.match[1],
    LLM_RPM: '100000',
    LLM_TPM: '0',
    SCRAPE_RESOLVE: '*.bench.test=127.0.0.1',
    SCRAPE_ALLOW_PRIVATE: 'true',
    SCRAPE_POLITENESS_MS: '0',
    SCRAPE_CONCURRENCY: process.env.BENCH_SCRAPE_CONCURRENCY ?? '96',
    UPLOADS_MESSAGE_CONCURRENCY: process.env.BENCH_MESSAGE_CONCURRENCY ?? '48',
    LOG_LEVEL: 'error',
  },
});
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
try {
  const csv = companiesCsv(
    ['Company', 'Website', 'City'],
    Array.from({ length: WEBSITES }, (_, i) => [
      `Company ${i + 1}`,
      `http://company-${i + 1}.bench.test:${port}/`,
      'Aarhus',
    ]),
  );
  const started = performance.now();
  const created = await t.http
    .post('/api/upload-from-frontend')
    .attach('file', csv, 'bench.csv')
    .expect(202);
  const id = created.body.id as string;
  let listedAt: number | null = null;
  let detail: { status: string; counts: Record<string, number> };
  for (;;) {
    detail = (await t.http.get(`/api/uploads/${id}?websitesLimit=0`).expect(200)).body;
    if (listedAt === null && detail.counts.websitesFound === WEBSITES) listedAt = performance.now();
    if (['completed', 'failed'].includes(detail.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const seconds = (performance.now() - started) / 1000;
  if (
    detail.status !== 'completed' ||
    detail.counts.messages !== WEBSITES ||
    detail.counts.scrapedOk !== WEBSITES
  )
    throw new Error(`the bench upload did not complete cleanly: ${JSON.stringify(detail)}`);
  report.record({
    metric: 'websites_per_second',
    value: WEBSITES / seconds,
    unit: 'websites/s',
    target: '>= 50',
  });
  report.record({ metric: 'total_seconds', value: seconds, unit: 's' });
  report.record({
    metric: 'extract_seconds',
    value: ((listedAt ?? performance.now()) - started) / 1000,
    unit: 's',
  });
  report.record({ metric: 'websites', value: WEBSITES, unit: 'websites' });
  report.record({ metric: 'peak_rss', value: peakRss / 1024 / 1024, unit: 'MB' });
} finally {
  clearInterval(sampler);
  await t.close();
  sites.child.kill('SIGTERM');
  fake.child.kill('SIGTERM');
}
