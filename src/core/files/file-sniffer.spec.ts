import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { buildZip } from '../../../test/support/factories/zip.js';
import { projectRoot } from '../project-root.js';
import { detectFileKind, rejectionMessage, SNIFF_BYTES, type Detection } from './file-sniffer.js';
import type { FileKind } from './file-kinds.js';
import { SPREADSHEET_KINDS, TRANSCRIPT_KINDS } from './file-kinds.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conveyor-sniff-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A real 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

async function detect(bytes: Buffer, accepted: readonly FileKind[]): Promise<Detection> {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, bytes);
  return detectFileKind(
    { path, size: bytes.length, head: bytes.subarray(0, SNIFF_BYTES) },
    accepted,
  );
}

function webp(): Buffer {
  const body = Buffer.concat([Buffer.from('WEBPVP8L'), Buffer.alloc(16)]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

describe('detectFileKind', () => {
  it('tells the formats apart by content', async () => {
    const xlsx = await readFile(
      join(projectRoot(), 'test/fixtures/spreadsheets/libreoffice-dates-formulas.xlsx'),
    );
    const cases: [Buffer, FileKind][] = [
      [PNG, 'png'],
      [GIF, 'gif'],
      [Buffer.concat([JPEG_HEAD, Buffer.alloc(100)]), 'jpeg'],
      [webp(), 'webp'],
      [Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'), 'pdf'],
      [xlsx, 'xlsx'],
      [Buffer.from('a,b\n1,2\n'), 'csv'],
      [Buffer.from('{"a": [1, 2]}'), 'json'],
      [Buffer.from('<!DOCTYPE html><html><body><p>Hi</p></body></html>'), 'html'],
      [Buffer.from('From: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\n\r\nBody'), 'eml'],
      [
        Buffer.from(
          'From a@example.com Sat Jan  3 01:05:34 1996\nFrom: a@example.com\nSubject: x\n\nbody\n',
        ),
        'mbox',
      ],
      [Buffer.from('Customer: my order is late.\nAgent: sorry, checking now.\n'), 'text'],
    ];
    const all: FileKind[] = [
      'png',
      'gif',
      'jpeg',
      'webp',
      'pdf',
      'xlsx',
      'docx',
      'csv',
      'json',
      'html',
      'eml',
      'mbox',
      'text',
    ];
    for (const [bytes, kind] of cases) {
      const accepted = kind === 'text' ? (['text'] as FileKind[]) : all;
      expect(await detect(bytes, accepted)).toMatchObject({ accepted: true, kind });
    }
  });

  it('recognises a DOCX by its word/document.xml part, and other zips as zips', async () => {
    const part = (name: string): { name: string; data: Buffer } => ({
      name,
      data: Buffer.from('<x/>'),
    });
    const docx = buildZip([
      part('[Content_Types].xml'),
      part('_rels/.rels'),
      part('word/document.xml'),
    ]);
    expect(await detect(docx, ['docx', 'pdf'])).toMatchObject({ accepted: true, kind: 'docx' });
    expect(await detect(docx, SPREADSHEET_KINDS)).toEqual({
      accepted: false,
      description: 'a DOCX document',
    });
    const ods = buildZip([part('mimetype'), part('content.xml')]);
    expect(await detect(ods, SPREADSHEET_KINDS)).toMatchObject({
      accepted: false,
      description: expect.stringContaining('OpenDocument'),
    });
    expect(await detect(buildZip([part('a.txt')]), SPREADSHEET_KINDS)).toEqual({
      accepted: false,
      description: 'a ZIP archive',
    });
  });

  it('rejects a PNG offered as a spreadsheet, saying what it is', async () => {
    const detection = await detect(PNG, SPREADSHEET_KINDS);
    expect(detection).toEqual({ accepted: false, description: 'a PNG image' });
    expect(
      rejectionMessage(
        'file',
        detection as Extract<Detection, { accepted: false }>,
        SPREADSHEET_KINDS,
      ),
    ).toBe('The file in "file" is a PNG image; this field accepts CSV, XLSX.');
  });

  it('names executables and archives', async () => {
    const elf = (await readFile('/bin/true')).subarray(0, 4096);
    expect(await detect(elf, SPREADSHEET_KINDS)).toEqual({
      accepted: false,
      description: 'an ELF executable',
    });
    const mz = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
    expect(await detect(mz, ['csv'])).toEqual({
      accepted: false,
      description: 'a Windows executable (MZ/PE)',
    });
    expect(await detect(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), ['csv'])).toMatchObject({
      description: 'a gzip archive',
    });
    const ole = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(100),
    ]);
    expect(await detect(ole, SPREADSHEET_KINDS)).toMatchObject({
      description: expect.stringContaining('legacy Office'),
    });
  });

  it('calls unknown bytes binary', async () => {
    const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256));
    expect(await detect(noise, ['text', 'csv'])).toEqual({
      accepted: false,
      description: 'binary data of an unknown type',
    });
  });

  it('checks structure, not just the signature', async () => {
    const truncatedPdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\n');
    expect(await detect(truncatedPdf, ['pdf'])).toEqual({
      accepted: false,
      description: 'a PDF document',
      reason: 'it has no end-of-file marker (truncated?)',
    });
    const brokenZip = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100)]);
    expect(await detect(brokenZip, ['xlsx'])).toMatchObject({
      accepted: false,
      description: 'a damaged ZIP archive',
    });
    expect(await detect(PNG.subarray(0, 12), ['png'])).toMatchObject({
      accepted: false,
      reason: 'its header chunk is missing',
    });
  });

  it('rejects text that does not parse as CSV, with the reason', async () => {
    const detection = await detect(Buffer.from('name,comment\n1,"never closed\n'), ['csv']);
    expect(detection).toMatchObject({ accepted: false, description: 'plain text' });
    expect((detection as { reason: string }).reason).toMatch(
      /^it does not parse as CSV: Quote Not Closed/,
    );
  });

  it('takes shaped text as text where text is accepted, and names the shape where it is not', async () => {
    const html = Buffer.from('<html><body>Chat log</body></html>');
    expect(await detect(html, ['text'])).toMatchObject({ accepted: true, kind: 'text' });
    expect(await detect(html, ['csv'])).toEqual({
      accepted: false,
      description: 'an HTML document',
    });
    expect(await detect(html, TRANSCRIPT_KINDS)).toMatchObject({ accepted: true, kind: 'html' });
  });

  it('reads text in UTF-16 and Windows-1252', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('a;b\n1;2\n', 'utf16le')]);
    expect(await detect(utf16, ['csv'])).toMatchObject({
      accepted: true,
      kind: 'csv',
      encoding: 'utf-16le',
    });
    const cp1252 = iconv.encode('name\nJosé – €5\n', 'win1252');
    expect(await detect(cp1252, ['csv'])).toMatchObject({
      accepted: true,
      kind: 'csv',
      encoding: 'windows-1252',
    });
  });

  it('does not hold a CSV cut mid-quote at the sniffing window against it', async () => {
    const long = `id,text\n1,"${'x'.repeat(SNIFF_BYTES)}"\n2,end\n`;
    expect(await detect(Buffer.from(long), ['csv'])).toMatchObject({ accepted: true, kind: 'csv' });
  });
});
