import { expect } from '@jest/globals';
import type { KeyedHttp } from '../http.js';

export { companiesCsv } from './companies-csv.js';

export interface UploadBody {
  id: string;
  status: string;
  phase: string;
  error: string | null;
  counts: Record<string, number>;
  progress: { done: number; total: number; percent: number };
}

export interface WebsiteBody {
  id: string;
  url: string;
  host: string;
  source: string;
  sourceColumn: string;
  rowCount: number;
  status: string;
  outcome: string | null;
  outcomeDetail: string | null;
  title: string | null;
  emails: string[];
  socialLinks: { network: string; url: string }[];
  fromCache: boolean | null;
  message: string | null;
  messageBasis: 'website' | 'row-fields' | null;
  messageNote: string | null;
  messageSnippets: { source: string; text: string }[];
  messageProvider: string | null;
  error: string | null;
}

export interface UploadDetailBody extends UploadBody {
  websites: WebsiteBody[];
  rowsWithoutWebsite: { reason: string; count: number; rowNumbers: number[] }[];
}

export async function uploadCsv(
  http: KeyedHttp,
  csv: Buffer,
  name = 'companies.csv',
  fields: Record<string, string> = {},
): Promise<UploadBody> {
  let req = http.post('/api/upload-from-frontend');
  for (const [field, value] of Object.entries(fields)) req = req.field(field, value);
  const res = await req.attach('file', csv, name).expect(202);
  return res.body as UploadBody;
}

export async function uploadDetail(http: KeyedHttp, id: string): Promise<UploadDetailBody> {
  return (await http.get(`/api/uploads/${id}?websitesLimit=5000`).expect(200))
    .body as UploadDetailBody;
}

/**
 * Acceptance 2: the listing and the detail show the same counts and progress for an upload.
 * Returns the detail.
 */
export async function expectCountsAgree(http: KeyedHttp, id: string): Promise<UploadDetailBody> {
  const list = (await http.get('/api/uploads?limit=200').expect(200)).body as UploadBody[];
  const detail = await uploadDetail(http, id);
  const listed = list.find((upload) => upload.id === id);
  expect(listed).toBeDefined();
  expect(listed!.counts).toEqual(detail.counts);
  expect(listed!.progress).toEqual(detail.progress);
  expect(listed!.status).toBe(detail.status);
  // And the counts are what the websites say.
  if (detail.status === 'completed') {
    expect(detail.counts.websitesFound).toBe(detail.websites.length);
    expect(detail.counts.scrapedOk).toBe(detail.websites.filter((w) => w.outcome === 'ok').length);
    expect(detail.counts.messages).toBe(detail.websites.filter((w) => w.message).length);
    expect(detail.counts.failed).toBe(
      detail.websites.filter(
        (w) => (w.outcome && w.outcome !== 'ok') || (!w.outcome && w.status === 'failed'),
      ).length,
    );
  }
  return detail;
}
