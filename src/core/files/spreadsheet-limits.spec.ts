import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInflateRaw } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { measureRssGrowth } from '../../../test/support/memory.js';
import { buildConfig } from '../config/config.js';
import { projectRoot } from '../project-root.js';
import { SpreadsheetLimitError } from './spreadsheet-errors.js';
import { SpreadsheetService } from './spreadsheet.service.js';
import { SpreadsheetWriter } from './spreadsheet-writer.js';
import { ZipDirectory } from './zip-directory.js';

const fixture = (name: string): string =>
  join(projectRoot(), 'test', 'fixtures', 'spreadsheets', name);
const spreadsheets = new SpreadsheetService(buildConfig({}));
const MB = 1024 * 1024;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conveyor-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readFails(path: string, options = {}): Promise<SpreadsheetLimitError> {
  const reader = await spreadsheets.open(path, options).catch((error: unknown) => error);
  if (reader instanceof SpreadsheetLimitError) return reader;
  if (reader instanceof Error) throw reader;
  const error = await (reader as Awaited<ReturnType<typeof spreadsheets.open>>)
    .toArray()
    .catch((e: unknown) => e);
  if (error instanceof SpreadsheetLimitError) return error;
  throw new Error(`expected a SpreadsheetLimitError, got ${String(error)}`);
}

describe('zip bombs', () => {
  it('the fixtures are real bombs: the sheet unpacks to 200 MB from 200 KB', async () => {
    const zip = await ZipDirectory.open(fixture('zip-bomb-lying.xlsx'));
    const sheet = zip.get('xl/worksheets/sheet1.xml')!;
    expect(sheet.compressedSize).toBeLessThan(250 * 1024);
    expect(sheet.uncompressedSize).toBe(4096); // what it claims
    let unpacked = 0;
    const raw = createReadStream(fixture('zip-bomb-lying.xlsx'), {
      start: sheet.localHeaderOffset + 30 + 'xl/worksheets/sheet1.xml'.length,
      end:
        sheet.localHeaderOffset + 30 + 'xl/worksheets/sheet1.xml'.length + sheet.compressedSize - 1,
    });
    for await (const chunk of raw.pipe(createInflateRaw())) unpacked += (chunk as Buffer).length;
    expect(unpacked).toBeGreaterThan(200 * MB);
  });

  it('rejects a bomb by its declared sizes before unpacking anything (422 naming the limit)', async () => {
    const { growth, result } = await measureRssGrowth(() => readFails(fixture('zip-bomb.xlsx')));
    expect(result.status).toBe('fulfilled');
    const error = (result as PromiseFulfilledResult<SpreadsheetLimitError>).value;
    expect(error.getStatus()).toBe(422);
    expect(error.limit).toBe('maxZipRatio');
    expect(error.getResponse()).toMatchObject({ limit: 'SPREADSHEET_MAX_ZIP_RATIO' });
    expect(error.message).toMatch(
      /xl\/worksheets\/sheet1\.xml would unpack to \d+ times its packed size; at most 200/,
    );
    expect(growth).toBeLessThan(100 * MB);
  });

  it('rejects a bomb by its declared total size', async () => {
    const error = await readFails(fixture('zip-bomb.xlsx'), {
      limits: { maxZipRatio: 100_000, maxUncompressedBytes: 100 * MB },
    });
    expect(error.limit).toBe('maxUncompressedBytes');
    expect(error.message).toMatch(/would unpack to 200(\.\d)? MB, more than the 100 MB allowed/);
  });

  it('stops a bomb that lies about its sizes while unpacking, before memory grows by 100 MB', async () => {
    const { growth, result } = await measureRssGrowth(() =>
      readFails(fixture('zip-bomb-lying.xlsx')),
    );
    expect(result.status).toBe('fulfilled');
    const error = (result as PromiseFulfilledResult<SpreadsheetLimitError>).value;
    expect(error.limit).toBe('maxUncompressedBytes');
    expect(error.message).toBe(
      'The workbook part xl/worksheets/sheet1.xml unpacks to more than the 4 KB its zip directory declares (a zip bomb?).',
    );
    expect(growth).toBeLessThan(100 * MB);
  });
});

describe('row, column and cell limits', () => {
  async function csv(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  async function xlsx(name: string, rows: (string | number)[][]): Promise<string> {
    const path = join(dir, name);
    const writer = SpreadsheetWriter.toFile(path, { format: 'xlsx', columns: rows[0].map(String) });
    for (const row of rows.slice(1)) await writer.addRow(row);
    await writer.finish();
    return path;
  }

  it('stops past the row limit (CSV and XLSX)', async () => {
    const rows = [['a'], ...Array.from({ length: 11 }, (_, i) => [`r${i}`])];
    for (const path of [
      await csv('rows.csv', rows.map((row) => row.join(',')).join('\n')),
      await xlsx('rows.xlsx', rows),
    ]) {
      const error = await readFails(path, { limits: { maxRows: 10 } });
      expect(error.limit).toBe('maxRows');
      expect(error.message).toBe('The spreadsheet has more than 10 data rows.');
      expect(error.getResponse()).toMatchObject({ statusCode: 422, limit: 'SPREADSHEET_MAX_ROWS' });
    }
    // Exactly at the limit is fine.
    const reader = await spreadsheets.open(join(dir, 'rows.csv'), { limits: { maxRows: 11 } });
    expect((await reader.toArray()).length).toBe(11);
  });

  it('stops past the column limit', async () => {
    const header = Array.from({ length: 6 }, (_, i) => `c${i}`);
    const error = await readFails(await csv('wide.csv', `${header.join(',')}\n1,2,3,4,5,6\n`), {
      limits: { maxColumns: 5 },
    });
    expect(error.limit).toBe('maxColumns');
    expect(error.message).toBe('The header has 6 columns; at most 5 are read.');
    // A stray value far to the right of a two-column table.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Data');
    sheet.addRow(['a', 'b']);
    sheet.addRow(['1', '2', '', '', '', 'stray']);
    await workbook.xlsx.writeFile(join(dir, 'wide.xlsx'));
    const xlsxError = await readFails(join(dir, 'wide.xlsx'), { limits: { maxColumns: 5 } });
    expect(xlsxError.message).toBe(
      'Row 2 has a value in column 6 (F); at most 5 columns are read.',
    );
  });

  it('stops at a cell longer than the cell limit, naming the cell', async () => {
    const long = 'x'.repeat(101);
    const error = await readFails(await csv('long.csv', `a,b\n1,${long}\n`), {
      limits: { maxCellChars: 100 },
    });
    expect(error.limit).toBe('maxCellChars');
    expect(error.message).toBe('The field 2 of line 2 is longer than 100 characters.');
    const xlsxError = await readFails(
      await xlsx('long.xlsx', [
        ['a', 'b'],
        ['1', long],
      ]),
      {
        limits: { maxCellChars: 100 },
      },
    );
    expect(xlsxError.message).toBe('Cell B2 is longer than 100 characters.');
  });

  it('stops an unclosed quote before it swallows the file', async () => {
    const body = `a,b\n1,"never closed\n${'filler,row\n'.repeat(2000)}`;
    const error = await readFails(await csv('open-quote.csv', body), {
      limits: { maxCellChars: 100, maxColumns: 10 },
    });
    expect(error.limit).toBe('maxCellChars');
    expect(error.message).toMatch(
      /^The record on line 2 is longer than 1000 characters \(an unclosed quote\?\)\.$/,
    );
  });
});
