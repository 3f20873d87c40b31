import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpreadsheetWriter, type SpreadsheetService } from '../../../src/core/files/index.js';
import type { FakeResponder } from '../fake-openai/fake-openai.js';
import type { KeyedHttp } from '../http.js';
import { companiesCsv } from './companies-csv.js';

/** An Apollo-style export header. */
export const LEAD_HEADERS = [
  'First Name',
  'Last Name',
  'Title',
  'Company Name',
  'Email',
  'Industry',
  'City',
];

const FIRST = ['Dana', 'Lars', 'Priya', 'Tomás', 'Aiko', 'Femi', 'Greta', 'Omar'];
const COMPANIES = [
  'Northwind',
  'Hansen Bakery',
  'Blue Fjord Logistics',
  'Kite Labs',
  'Oakridge Dental',
];
const INDUSTRIES = ['Logistics', 'Food', 'Software', 'Healthcare'];

/** `n` leads; the row indexes in `blank` have no name and no company (bad data). */
export function leadRows(n: number, blank: readonly number[] = []): string[][] {
  return Array.from({ length: n }, (_, i) => {
    if (blank.includes(i)) return ['', '', 'Buyer', '', `nobody${i}@example.com`, '', ''];
    return [
      FIRST[i % FIRST.length],
      `Lead${i}`,
      i % 3 === 0 ? 'Head of Operations' : 'COO',
      `${COMPANIES[i % COMPANIES.length]} ${i}`,
      `lead${i}@example.com`,
      INDUSTRIES[i % INDUSTRIES.length],
      i % 2 ? 'Aarhus' : 'Leeds',
    ];
  });
}

export function leadsCsv(n: number, blank: readonly number[] = []): Buffer {
  return companiesCsv(LEAD_HEADERS, leadRows(n, blank));
}

export async function leadsXlsx(n: number, blank: readonly number[] = []): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'leads-xlsx-'));
  try {
    const path = join(dir, 'leads.xlsx');
    const writer = SpreadsheetWriter.toFile(path, { format: 'xlsx', columns: LEAD_HEADERS });
    for (const row of leadRows(n, blank)) await writer.addRow(row);
    await writer.finish();
    return await readFile(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The fake model's email: 55 words that name the lead and company from the prompt's "Name:" and
 * "Company:" lines, no signature, so every answer passes the output check (no re-ask).
 */
export const emailResponder: FakeResponder = (req) => {
  const user = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const name = /^Name: (\S+)/m.exec(user)?.[1] ?? 'there';
  const company = /^Company: (.+)$/m.exec(user)?.[1] ?? 'your team';
  const filler =
    'I help operations teams cut the manual steps in order processing with small, practical automations that pay for themselves within weeks. Most teams I talk to save a few hours every single week without changing tools.';
  return {
    content: `Hi ${name}, I noticed ${company} has been growing quickly this year. ${filler} Would it be worth a short chat next week to see whether one of these ideas fits how you work today?`,
  };
};

export interface EmailJobBody {
  job_id: string;
  status: string;
  message: string;
  progress: number;
  total: number;
  done: number;
  failed: number;
  pending: number;
  rate_per_minute: number;
  eta_seconds: number | null;
  tokens: { prompt: number; completion: number; total: number };
  cost_usd: number;
  estimated_cost_usd: number | null;
  budget_usd: number | null;
  pause_reason: string | null;
  error: string | null;
  version: number;
  template: string;
  column_map: Record<string, string>;
  headers: string[];
  queued_at: string | null;
  links: { status: string; download: string; events: string; page: string };
}

export async function uploadLeads(
  http: KeyedHttp,
  file: Buffer,
  name = 'leads.csv',
  fields: Record<string, string> = {},
  expectStatus = 202,
): Promise<EmailJobBody> {
  let req = http.post('/api/email-generation/upload');
  for (const [field, value] of Object.entries(fields)) req = req.field(field, value);
  const res = await req.attach('file', file, name).expect(expectStatus);
  return res.body as EmailJobBody;
}

export async function jobStatus(http: KeyedHttp, id: string): Promise<EmailJobBody> {
  return (await http.get(`/api/email-generation/status/${id}`).expect(200)).body as EmailJobBody;
}

export interface DownloadedSheet {
  fileName: string;
  headers: string[];
  rows: Record<string, string>[];
}

/** Downloads a job's file and reads it back with the shared reader. */
export async function downloadEmails(
  http: KeyedHttp,
  spreadsheets: SpreadsheetService,
  id: string,
  format: 'xlsx' | 'csv' = 'xlsx',
): Promise<DownloadedSheet> {
  const res = await http
    .get(`/api/email-generation/download/${id}?format=${format}`)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(200);
  const fileName = /filename="([^"]+)"/.exec(String(res.headers['content-disposition']))?.[1] ?? '';
  const dir = await mkdtemp(join(tmpdir(), 'emails-download-'));
  try {
    const path = join(dir, `emails.${format}`);
    await writeFile(path, res.body as Buffer);
    const sheet = await spreadsheets.open(path);
    const rows: Record<string, string>[] = [];
    for await (const row of sheet) rows.push(row.values);
    return { fileName, headers: [...sheet.headers], rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
