import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join, relative } from 'node:path';
import { tempDir } from '../../src/core/files/storage-paths.js';
import { HousekeepingService } from '../../src/core/housekeeping/housekeeping.service.js';
import { projectRoot } from '../../src/core/project-root.js';
import { multipartBody, type MultipartPart } from '../support/factories/multipart.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UploadTestModule } from '../support/upload-test.module.js';

let t: TestApp;
let storage: string;

beforeAll(async () => {
  t = await startTestApp({ modules: [UploadTestModule] });
  storage = t.config.app.storageDir;
});

afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  await t.db.query('DELETE FROM stored_files');
  for (const entry of await readdir(storage)) {
    if (entry !== '.tmp') await rm(join(storage, entry), { recursive: true, force: true });
  }
});

const MB = 1024 * 1024;
const fixture = (name: string): Promise<Buffer> =>
  readFile(join(projectRoot(), 'test', 'fixtures', 'spreadsheets', name));
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

function post(path: string, parts: MultipartPart[], headers: Record<string, string> = {}) {
  const { body, contentType } = multipartBody(parts);
  return t.http
    .post(path)
    .set({ 'Content-Type': contentType, ...headers })
    .send(body);
}

/** Every file under STORAGE_DIR (temp files included), relative to it. */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(storage, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(storage, join(entry.parentPath, entry.name)))
    .sort();
}

async function rowCount(): Promise<number> {
  const [{ count }] = (await t.db.query('SELECT count(*)::int AS count FROM stored_files')) as {
    count: number;
  }[];
  return count;
}

/** Polls (never sleeps blindly) until `check` holds or the time is up. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function expectNothingLeft(): Promise<void> {
  expect(await storedFiles()).toEqual([]);
  expect(await rowCount()).toBe(0);
}

describe('storing an upload', () => {
  it('moves the file to STORAGE_DIR/<owner>/<uuid> and records name, type, size and SHA-256', async () => {
    const csv = await fixture('excel-semicolon-bom.csv');
    const res = await post('/api/test-uploads/sheet', [
      {
        name: 'file',
        filename: 'Leads März.csv',
        data: csv,
        contentType: 'application/vnd.ms-excel',
      },
    ]).expect(201);
    const [file] = res.body.files;
    expect(file).toMatchObject({
      field: 'file',
      kind: 'csv',
      originalName: 'Leads März.csv',
      mediaType: 'text/csv',
      sizeBytes: csv.length,
      sha256: createHash('sha256').update(csv).digest('hex'),
      encoding: 'utf-8',
    });
    expect(file.storagePath).toBe(`${t.user.user.id}/${file.id}`);
    expect(file.path).toBe(join(storage, t.user.user.id, file.id));
    expect(await readFile(file.path)).toEqual(csv);
    expect(await storedFiles()).toEqual([`${t.user.user.id}/${file.id}`]);
    const [row] = (await t.db.query('SELECT * FROM stored_files')) as Record<string, unknown>[];
    expect(row).toMatchObject({
      id: file.id,
      owner_id: t.user.user.id,
      purpose: 'spreadsheet',
      original_name: 'Leads März.csv',
    });
    const days =
      ((row.expires_at as Date).getTime() - (row.created_at as Date).getTime()) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);
  });

  it("stores another user's file under their id and records them as owner", async () => {
    const other = await t.createUser();
    const res = await post(
      '/api/test-uploads/sheet',
      [
        {
          name: 'file',
          filename: 'l.xlsx',
          data: await fixture('libreoffice-dates-formulas.xlsx'),
        },
      ],
      { 'X-API-Key': other.key },
    ).expect(201);
    expect(res.body).toMatchObject({
      ownerId: other.user.id,
      files: [{ kind: 'xlsx', storagePath: `${other.user.id}/${res.body.files[0].id}` }],
    });
    const [row] = (await t.db.query('SELECT owner_id FROM stored_files')) as { owner_id: string }[];
    expect(row.owner_id).toBe(other.user.id);
  });

  it('keeps a file name of ../../etc/passwd as harmless metadata', async () => {
    const res = await post('/api/test-uploads/sheet', [
      {
        name: 'file',
        filename: '../../etc/passwd',
        data: Buffer.from('user,shell\nroot,/bin/sh\n'),
      },
    ]).expect(201);
    const [file] = res.body.files;
    expect(file.originalName).toBe('passwd');
    expect(file.storagePath).toMatch(new RegExp(`^${t.user.user.id}/[0-9a-f-]{36}$`));
    expect(await storedFiles()).toEqual([file.storagePath]);
    expect(await readFile('/etc/passwd', 'utf8')).not.toContain('root,/bin/sh');
  });

  it('takes the seed 001 form: two files and typed text fields', async () => {
    const res = await post('/api/test-uploads/article', [
      { name: 'articleName', value: 'Widget A' },
      { name: 'productSpecification', filename: 'spec.pdf', data: PDF },
      { name: 'drawing', filename: 'drawing.png', data: PNG },
      { name: 'urgent', value: 'yes' },
    ]).expect(201);
    expect(res.body).toMatchObject({
      name: 'Widget A',
      urgent: true,
      drawing: 'png',
      text: { articleName: 'Widget A', urgent: true },
      files: [
        { field: 'productSpecification', kind: 'pdf', mediaType: 'application/pdf' },
        { field: 'drawing', kind: 'png', mediaType: 'image/png' },
      ],
    });
    expect(await rowCount()).toBe(2);
  });
});

describe('refusing an upload leaves nothing behind', () => {
  const bigCsv = (bytes: number): Buffer => {
    const line = 'someone@example.com,Some Company,https://example.com\n';
    return Buffer.from(line.repeat(Math.ceil(bytes / line.length)));
  };

  it('answers 413 to 60 MB sent to a 50 MB route (Content-Length known: refused before reading)', async () => {
    const res = await post('/api/test-uploads/sheet', [
      { name: 'file', filename: 'big.csv', data: bigCsv(60 * MB) },
    ]).expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(res.body.message).toMatch(/this route takes files of up to 50 MB/);
    await expectNothingLeft();
  });

  it('answers 413 to 60 MB streamed without a length (stopped at 50 MB while streaming)', async () => {
    const { body, contentType } = multipartBody([
      { name: 'file', filename: 'big.csv', data: bigCsv(60 * MB) },
    ]);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${t.url}/api/test-uploads/sheet`, {
        method: 'POST',
        headers: {
          'Content-Type': contentType,
          'Transfer-Encoding': 'chunked',
          'X-API-Key': t.user.key,
        },
      });
      req.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      (async () => {
        for (let at = 0; at < body.length; at += MB) {
          if (!req.write(body.subarray(at, at + MB)))
            await new Promise((r) => req.once('drain', r));
        }
        req.end();
      })().catch(reject);
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).message).toBe(
      'The file in "file" is larger than the 50 MB this route takes.',
    );
    await expectNothingLeft();
  });

  it('answers 415 to a PNG named leads.xlsx, saying what it is', async () => {
    const res = await post('/api/test-uploads/sheet', [
      {
        name: 'file',
        filename: 'leads.xlsx',
        data: PNG,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
    ]).expect(415);
    expect(res.body.message).toBe(
      'The file in "file" is a PNG image; this field accepts CSV, XLSX.',
    );
    await expectNothingLeft();
  });

  it('answers 415 to an executable named .csv', async () => {
    const res = await post('/api/test-uploads/sheet', [
      {
        name: 'file',
        filename: 'contacts.csv',
        data: await readFile('/bin/true'),
        contentType: 'text/csv',
      },
    ]).expect(415);
    expect(res.body.message).toBe(
      'The file in "file" is an ELF executable; this field accepts CSV, XLSX.',
    );
    await expectNothingLeft();
  });

  it('answers a body of 10,000 parts with a 4xx within a second, and keeps serving', async () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => ({ name: `field${i}`, value: 'x' }));
    const files = Array.from({ length: 10_000 }, (_, i) => ({
      name: 'file',
      filename: `${i}.csv`,
      data: Buffer.from('a\n1\n'),
    }));
    for (const [path, parts] of [
      ['/api/test-uploads/article', fields],
      ['/api/test-uploads/sheet', files],
    ] as const) {
      const started = Date.now();
      const { body, contentType } = multipartBody(parts);
      // The client gives up after one second: an answer after that fails the test.
      const res = await t.http.post(path).set('Content-Type', contentType).timeout(1000).send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Too many parts in the form; this route takes /);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    await t.http.get('/health').expect(200);
    await expectNothingLeft();
  });

  it('cleans up after a client that hangs up halfway through', async () => {
    const { body, contentType } = multipartBody([
      { name: 'file', filename: 'a.csv', data: bigCsv(20 * MB) },
    ]);
    const req = httpRequest(`${t.url}/api/test-uploads/sheet`, {
      method: 'POST',
      headers: {
        'Content-Type': contentType,
        'Content-Length': String(body.length),
        'X-API-Key': t.user.key,
      },
    });
    req.on('error', () => undefined);
    req.write(body.subarray(0, 5 * MB));
    await eventually(async () => (await readdir(tempDir(storage))).length > 0);
    req.destroy();
    await eventually(async () => (await readdir(tempDir(storage))).length === 0);
    await expectNothingLeft();
    await t.http.get('/health').expect(200);
  });

  it('answers 400 to a malformed multipart body', async () => {
    const res = await t.http
      .post('/api/test-uploads/sheet')
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send(
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,b\n1,2',
      )
      .expect(400);
    expect(res.body.message).toMatch(
      /^Malformed multipart\/form-data body: Unexpected end of form/,
    );
    await expectNothingLeft();
  });

  it('answers 415 to a body that is not multipart', async () => {
    const res = await t.http.post('/api/test-uploads/sheet').send({ file: 'a,b' }).expect(415);
    expect(res.body.message).toBe(
      'Send this upload as multipart/form-data with file "file" (CSV, XLSX, required).',
    );
  });

  it('answers 400 to a missing required file or field, and to unexpected ones', async () => {
    const missing = await post('/api/test-uploads/article', [
      { name: 'articleName', value: 'x' },
    ]).expect(400);
    expect(missing.body.message).toBe(
      'The file field "productSpecification" is required (PDF, DOCX, plain text, CSV, XLSX).',
    );
    const noName = await post('/api/test-uploads/article', [
      { name: 'productSpecification', filename: 's.pdf', data: PDF },
    ]).expect(400);
    expect(noName.body.message).toBe('The field "articleName" is required.');
    const unexpected = await post('/api/test-uploads/article', [
      { name: 'articleName', value: 'x' },
      { name: 'productSpecification', filename: 's.pdf', data: PDF },
      { name: 'price', value: '3' },
    ]).expect(400);
    expect(unexpected.body.message).toMatch(
      /^Unexpected field "price"; this route takes file "productSpecification"/,
    );
    const wrongFile = await post('/api/test-uploads/sheet', [
      { name: 'attachment', filename: 'a.csv', data: Buffer.from('a\n1\n') },
    ]).expect(400);
    expect(wrongFile.body.message).toMatch(/^Unexpected file in "attachment"/);
    await expectNothingLeft();
  });

  it('removes the stored files when the route itself fails', async () => {
    await post('/api/test-uploads/failing', [
      { name: 'file', filename: 'a.csv', data: Buffer.from('a,b\n1,2\n') },
    ]).expect(409);
    await expectNothingLeft();
  });
});

describe('spreadsheets through HTTP', () => {
  it('reads an uploaded spreadsheet to rows', async () => {
    const res = await post('/api/test-uploads/sheet/rows', [
      { name: 'file', filename: 'w.csv', data: await fixture('windows-1252-names.csv') },
    ]).expect(201);
    expect(res.body.headers).toEqual(['id', 'name', 'city', 'note']);
    expect(res.body.rows[1]).toEqual({
      id: '2',
      name: 'José Núñez',
      city: 'São Paulo',
      note: 'costs €100 – paid',
    });
  });

  it('answers a zip bomb with 422 naming the limit', async () => {
    const res = await post('/api/test-uploads/sheet/rows', [
      { name: 'file', filename: 'bomb.xlsx', data: await fixture('zip-bomb-lying.xlsx') },
    ]).expect(422);
    expect(res.body).toMatchObject({
      statusCode: 422,
      error: 'Unprocessable Entity',
      limit: 'SPREADSHEET_MAX_UNCOMPRESSED_MB',
      message: expect.stringContaining('unpacks to more than the 4 KB its zip directory declares'),
    });
    await expectNothingLeft();
  });

  it('streams a generated XLSX download with formulas neutralised', async () => {
    const res = await t.http
      .get('/api/test-uploads/report')
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="report.xlsx"; filename*=UTF-8''report.xlsx`,
    );
    const path = join(t.dataDir, 'report.xlsx');
    await writeFile(path, res.body as Buffer);
    const rows = await post('/api/test-uploads/sheet/rows', [
      { name: 'file', filename: 'report.xlsx', data: res.body as Buffer },
    ]).expect(201);
    expect(rows.body.rows).toEqual([
      { Name: 'Ann', Note: `'=HYPERLINK("https://evil.example","x")` },
      { Name: 'Bob', Note: "'+1" },
    ]);
  });
});

describe('API documentation of upload routes', () => {
  it('documents the multipart form, the files as binary, and the 413/415 answers', async () => {
    const res = await t.http.get('/docs-json').expect(200);
    const operation = res.body.paths['/api/test-uploads/article'].post;
    const schema = operation.requestBody.content['multipart/form-data'].schema;
    expect(schema).toMatchObject({
      type: 'object',
      required: ['productSpecification', 'articleName'],
      properties: {
        productSpecification: { type: 'string', format: 'binary' },
        drawing: { type: 'string', format: 'binary' },
        articleName: { type: 'string', maxLength: 200, example: 'Widget A' },
        urgent: { type: 'boolean' },
      },
    });
    expect(schema.properties.productSpecification.description).toContain(
      'PDF, DOCX, plain text, CSV, XLSX',
    );
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '413', '415']));
    expect(await validate(structuredClone(res.body))).toMatchObject({ valid: true });
  });
});

describe('housekeeping of stored files', () => {
  it('removes files nothing records (a crash between move and insert) once they are a day old', async () => {
    const owner = randomUUID();
    await mkdir(join(storage, owner), { recursive: true });
    const orphan = join(storage, owner, randomUUID());
    const fresh = join(storage, owner, randomUUID());
    await writeFile(orphan, 'x');
    await writeFile(fresh, 'y');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await utimes(orphan, twoDaysAgo, twoDaysAgo);
    const kept = await post('/api/test-uploads/sheet', [
      { name: 'file', filename: 'a.csv', data: Buffer.from('a\n1\n') },
    ]).expect(201);
    await utimes(kept.body.files[0].path, twoDaysAgo, twoDaysAgo);

    const report = await t.get(HousekeepingService).run();
    expect(report.orphanFiles).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(kept.body.files[0].path)).toBe(true);
  });
});
