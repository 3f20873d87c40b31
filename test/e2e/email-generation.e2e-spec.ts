import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpreadsheetService } from '../../src/core/files/index.js';
import { ReconcilerService } from '../../src/core/queue/reconciler.service.js';
import {
  LEAD_HEADERS,
  downloadEmails,
  emailResponder,
  jobStatus,
  leadsCsv,
  leadsXlsx,
  uploadLeads,
  type EmailJobBody,
} from '../support/factories/leads.js';
import { companiesCsv } from '../support/factories/companies-csv.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv, restoreKey } from '../support/llm-test-kit.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Seed 002 end to end on the fake OpenAI server: acceptance 1 (CSV and XLSX of 500 rows, the
// download's columns, a bad row failing alone), 4 (injected 429/5xx; insufficient_quota after 300
// rows pauses, the partial download holds 300, resume finishes) and 5 (the seed's own flow), plus
// the controls, the mapping and the refusals.

let t: TestApp;
let fake: FakeOpenAI;
let spreadsheets: SpreadsheetService;
const RESULT_HEADERS = [...LEAD_HEADERS, 'generated_email', 'status', 'error'];

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 0, respond: emailResponder });
  // The test kit's 1 s per-request timeout is for timeout tests; hundreds of rows in flight on a
  // shared 2-core machine can take longer than that to be answered, and a timed-out request is
  // sent again, which would blur the call counts asserted here.
  t = await startTestApp({ env: llmTestEnv(fake.url, { LLM_TIMEOUT_MS: '15000' }) });
  spreadsheets = t.get(SpreadsheetService);
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

function chatCalls(): number {
  return fake.counts.byPath.chat ?? 0;
}

describe('acceptance 1: 500 rows as CSV and as XLSX', () => {
  for (const format of ['csv', 'xlsx'] as const) {
    it(`writes 500 emails from a ${format.toUpperCase()} and downloads them after the original columns`, async () => {
      fake.reset();
      const file = format === 'csv' ? leadsCsv(500) : await leadsXlsx(500);
      const created = await uploadLeads(t.http, file, `leads.${format}`, {
        offer: 'AI automation for order processing',
      });
      expect(created).toMatchObject({ status: 'processing', total: 500 });
      expect(created.column_map).toMatchObject({
        first_name: 'First Name',
        last_name: 'Last Name',
        title: 'Title',
        company: 'Company Name',
        email: 'Email',
        industry: 'Industry',
        location: 'City',
      });
      await t.drainQueues(60_000);
      const done = await jobStatus(t.http, created.job_id);
      expect(done).toMatchObject({
        status: 'completed',
        done: 500,
        failed: 0,
        pending: 0,
        progress: 100,
      });
      expect(done.tokens.total).toBeGreaterThan(0);
      expect(chatCalls()).toBe(500);

      const sheet = await downloadEmails(t.http, spreadsheets, created.job_id, format);
      expect(sheet.fileName).toBe(`leads-emails.${format}`);
      expect(sheet.headers).toEqual(RESULT_HEADERS);
      expect(sheet.rows).toHaveLength(500);
      sheet.rows.forEach((row, i) => {
        expect(row['Company Name']).toBe(
          `${['Northwind', 'Hansen Bakery', 'Blue Fjord Logistics', 'Kite Labs', 'Oakridge Dental'][i % 5]} ${i}`,
        );
        expect(row.status).toBe('done');
        expect(row.generated_email).toContain(row['Company Name']);
        expect(row.error).toBe('');
      });
      // The prompt carried the seed's rules and the lead's fields.
      const rows = (
        await t.http.get(`/api/email-generation/jobs/${created.job_id}/rows?limit=1`).expect(200)
      ).body as { check_verdict: string }[];
      expect(rows[0].check_verdict).toMatch(/^ok \(\d+ words\)$/);
    }, 120_000);
  }

  it('fails a row with bad data alone, with its error in the file', async () => {
    fake.reset();
    const created = await uploadLeads(t.http, leadsCsv(20, [7]), 'leads-bad.csv');
    await t.drainQueues(30_000);
    expect(await jobStatus(t.http, created.job_id)).toMatchObject({
      status: 'completed',
      done: 19,
      failed: 1,
    });
    expect(chatCalls()).toBe(19);
    const sheet = await downloadEmails(t.http, spreadsheets, created.job_id, 'csv');
    expect(sheet.rows[7]).toMatchObject({
      Email: 'nobody7@example.com',
      generated_email: '',
      status: 'failed',
      error: 'The row has no first name, full name or company to personalise the email from.',
    });
    expect(sheet.rows.filter((row) => row.status === 'done')).toHaveLength(19);
  });
});

describe("acceptance 5: the seed's flow", () => {
  it('uploads, polls the status until done, downloads the xlsx', async () => {
    fake.reset();
    const created = await uploadLeads(t.http, leadsCsv(40), 'seed.csv');
    let status: EmailJobBody = created;
    const seen = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (status.status !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await jobStatus(t.http, created.job_id);
      seen.add(status.status);
      expect(status.done + status.failed + status.pending).toBe(40);
    }
    expect(status).toMatchObject({ status: 'completed', done: 40, progress: 100 });
    const sheet = await downloadEmails(t.http, spreadsheets, created.job_id);
    expect(sheet.fileName).toBe('seed-emails.xlsx');
    expect(sheet.rows.map((row) => row.status)).toEqual(Array(40).fill('done'));
  });
});

describe('acceptance 4: provider trouble', () => {
  it('completes every row with 10% injected 429s and 5xx', async () => {
    fake.reset();
    fake.inject({ fault: { type: 'rate-limit', retryAfterMs: 20 }, probability: 0.05 });
    fake.inject({ fault: { type: 'server-error', status: 503 }, probability: 0.05 });
    const created = await uploadLeads(t.http, leadsCsv(300), 'flaky.csv');
    await t.drainQueues(90_000);
    const done = await jobStatus(t.http, created.job_id);
    expect(done).toMatchObject({ status: 'completed', done: 300, failed: 0 });
    expect((fake.counts.byStatus['429'] ?? 0) + (fake.counts.byStatus['503'] ?? 0)).toBeGreaterThan(
      0,
    );
    const sheet = await downloadEmails(t.http, spreadsheets, created.job_id, 'csv');
    expect(sheet.rows.filter((row) => row.status === 'done' && row.generated_email)).toHaveLength(
      300,
    );
  }, 120_000);

  it('pauses on insufficient_quota after 300 rows, keeps 300 emails downloadable, and resume finishes', async () => {
    fake.reset();
    const quota = fake.inject({ fault: { type: 'insufficient-quota' }, after: 300 });
    const created = await uploadLeads(t.http, leadsCsv(500), 'quota.csv');
    await t.drainQueues(60_000);
    const paused = await jobStatus(t.http, created.job_id);
    expect(paused).toMatchObject({
      status: 'paused',
      pause_reason: 'quota',
      done: 300,
      failed: 0,
      pending: 200,
    });
    expect(paused.error).toContain('insufficient_quota');

    const partial = await downloadEmails(t.http, spreadsheets, created.job_id);
    expect(partial.fileName).toBe('quota-emails-partial-300-of-500.xlsx');
    expect(partial.rows).toHaveLength(500);
    expect(partial.rows.filter((row) => row.generated_email !== '')).toHaveLength(300);
    expect(partial.rows.filter((row) => row.status === 'pending')).toHaveLength(200);

    quota.remove();
    await restoreKey(t, 'sk-test-one');
    const resumed = (
      await t.http.post(`/api/email-generation/jobs/${created.job_id}/resume`).send({}).expect(202)
    ).body as EmailJobBody;
    expect(resumed.status).toBe('processing');
    await t.drainQueues(60_000);
    expect(await jobStatus(t.http, created.job_id)).toMatchObject({
      status: 'completed',
      done: 500,
      failed: 0,
      pause_reason: null,
    });
    const full = await downloadEmails(t.http, spreadsheets, created.job_id);
    expect(full.rows.filter((row) => row.status === 'done' && row.generated_email)).toHaveLength(
      500,
    );
  }, 120_000);
});

describe('controls', () => {
  it('previews the first rows without storing them, then starts', async () => {
    fake.reset();
    const created = await uploadLeads(t.http, leadsCsv(12), 'preview.csv', { auto_start: 'false' });
    expect(created.status).toBe('pending');
    const preview = await t.http
      .post(`/api/email-generation/jobs/${created.job_id}/preview`)
      .send({
        rows: 2,
        template: 'Write to {{first_name}} at {{company}} about {{offer}}.',
        offer: 'faster invoicing',
      })
      .expect(200);
    const rows = (preview.body as { rows: { prompt: string; generated_email: string }[] }).rows;
    expect(rows).toHaveLength(2);
    expect(rows[0].prompt).toBe('Write to Dana at Northwind 0 about faster invoicing.');
    expect(rows[0].generated_email).toContain('Hi');
    expect(await jobStatus(t.http, created.job_id)).toMatchObject({ status: 'pending', done: 0 });

    await t.http
      .post(`/api/email-generation/jobs/${created.job_id}/start`)
      .send({ offer: 'faster invoicing' })
      .expect(202);
    await t.drainQueues(30_000);
    expect(await jobStatus(t.http, created.job_id)).toMatchObject({
      status: 'completed',
      done: 12,
    });
  });

  it('re-runs every row with a new template version and keeps the old results', async () => {
    fake.reset();
    const created = await uploadLeads(t.http, leadsCsv(10), 'rerun.csv');
    await t.drainQueues(30_000);
    await t.http
      .post(`/api/email-generation/jobs/${created.job_id}/rerun`)
      .send({
        template: 'Email {{first_name}} ({{title}}) at {{company}}; 50-70 words, no signature.',
      })
      .expect(202);
    await t.drainQueues(30_000);
    expect(await jobStatus(t.http, created.job_id)).toMatchObject({
      status: 'completed',
      done: 10,
      version: 2,
    });
    const versions = (
      await t.http.get(`/api/email-generation/jobs/${created.job_id}/versions`).expect(200)
    ).body;
    expect(versions).toEqual([expect.objectContaining({ version: 1, emails: 10 })]);
    expect(chatCalls()).toBe(20);
  });

  it('pauses at a budget and resumes with a higher one', async () => {
    fake.reset();
    // More rows than are in flight at once (EMAIL_CONCURRENCY x EMAIL_BATCH_SIZE = 320), so the
    // stop holds rows back.
    const created = await uploadLeads(t.http, leadsCsv(1200), 'budget.csv', {
      budget_usd: '0.0001',
    });
    await t.drainQueues(30_000);
    const paused = await jobStatus(t.http, created.job_id);
    expect(paused).toMatchObject({ status: 'paused', pause_reason: 'budget' });
    expect(paused.done).toBeLessThan(1200);
    expect(paused.cost_usd).toBeGreaterThanOrEqual(0.0001);
    await t.http.post(`/api/email-generation/jobs/${created.job_id}/resume`).send({}).expect(409);
    await t.http
      .post(`/api/email-generation/jobs/${created.job_id}/resume`)
      .send({ budget_usd: 100 })
      .expect(202);
    await t.drainQueues(30_000);
    expect(await jobStatus(t.http, created.job_id)).toMatchObject({
      status: 'completed',
      done: 1200,
    });
  });

  it('retries failed rows and cancels', async () => {
    fake.reset();
    const created = await uploadLeads(t.http, leadsCsv(6, [2]), 'retry.csv');
    await t.drainQueues(30_000);
    await t.http.post(`/api/email-generation/jobs/${created.job_id}/retry-failed`).expect(202);
    await t.drainQueues(30_000);
    expect(await jobStatus(t.http, created.job_id)).toMatchObject({
      status: 'completed',
      done: 5,
      failed: 1,
    });
    await t.http.post(`/api/email-generation/jobs/${created.job_id}/cancel`).expect(409);
  });

  it('streams the status as server-sent events until the job finishes', async () => {
    fake.reset();
    const created = await uploadLeads(t.http, leadsCsv(30), 'events.csv');
    const res = await t.http
      .get(`/api/email-generation/jobs/${created.job_id}/events`)
      .buffer(true)
      .parse((response, done) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => done(null, body));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = String(res.body)
      .split('\n\n')
      .filter((block) => block.startsWith('event: status'))
      .map((block) => JSON.parse(block.split('\ndata: ')[1]) as EmailJobBody);
    expect(events.at(-1)).toMatchObject({ status: 'completed', done: 30 });
  });
});

describe('mapping and refusals', () => {
  it('maps Salesforce and Sales Navigator names, and takes an override', async () => {
    fake.reset();
    const csv = companiesCsv(
      ['Contact Name', 'Current Title', 'Account Name', 'Organisation', 'Geography'],
      [['Dana Scully', 'COO', 'Northwind', 'Northwind Holdings', 'Leeds']],
    );
    const created = await uploadLeads(t.http, csv, 'sf.csv', {
      column_map: '{"company": "Organisation"}',
    });
    expect(created.column_map).toEqual({
      full_name: 'Contact Name',
      title: 'Current Title',
      company: 'Organisation',
      location: 'Geography',
    });
    await t.drainQueues(30_000);
    const rows = (await t.http.get(`/api/email-generation/jobs/${created.job_id}/rows`).expect(200))
      .body as { generated_email: string }[];
    expect(rows[0].generated_email).toContain('Hi Dana, I noticed Northwind Holdings');
  });

  it('refuses a file with no usable column, listing its headers, and keeps nothing', async () => {
    const before = (
      (await t.http.get('/api/email-generation/jobs?limit=200').expect(200)).body as unknown[]
    ).length;
    const res = await uploadLeads(
      t.http,
      companiesCsv(['Foo', 'Bar'], [['1', '2']]),
      'junk.csv',
      {},
      422,
    );
    expect((res as unknown as { message: string }).message).toContain(
      'Headers found: "Foo", "Bar"',
    );
    const after = (
      (await t.http.get('/api/email-generation/jobs?limit=200').expect(200)).body as unknown[]
    ).length;
    expect(after).toBe(before);
  });

  it('refuses a template placeholder nothing fills, and a bad column_map', async () => {
    const bad = await uploadLeads(
      t.http,
      leadsCsv(2),
      'leads.csv',
      { template: 'Hello {{nickname}} at {{company}}' },
      400,
    );
    expect((bad as unknown as { message: string }).message).toContain('{{nickname}}');
    const map = await uploadLeads(
      t.http,
      leadsCsv(2),
      'leads.csv',
      { column_map: '{"company": "Nope"}' },
      400,
    );
    expect((map as unknown as { message: string }).message).toContain('"Nope"');
  });

  it('re-enqueues open rows from Postgres through the reconciler', async () => {
    // The reconciler finds nothing missing once every job is finished.
    const enqueued = await t.get(ReconcilerService).runAll();
    expect(enqueued['email-generation']).toBe(0);
  });
});
