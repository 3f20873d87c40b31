import { describe, expect, it } from '@jest/globals';
import { readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildZip } from '../../../test/support/factories/zip.js';
import { buildConfig } from '../config/config.js';
import { projectRoot } from '../project-root.js';
import { SpreadsheetFormatError } from './spreadsheet-errors.js';
import { SpreadsheetService } from './spreadsheet.service.js';
import { SpreadsheetWriter } from './spreadsheet-writer.js';

const fixture = (name: string): string =>
  resolve(projectRoot(), 'test', 'fixtures', 'spreadsheets', name);
const spreadsheets = new SpreadsheetService(buildConfig({}));

async function readAll(name: string, options = {}) {
  const reader = await spreadsheets.open(fixture(name), options);
  const rows = await reader.toArray();
  return { reader, rows, values: rows.map((row) => row.values) };
}

describe('SpreadsheetService.open: CSV fixtures', () => {
  it('reads Excel\'s "CSV UTF-8" with a BOM, semicolons, CRLF and doubled quotes', async () => {
    const { reader, rows, values } = await readAll('excel-semicolon-bom.csv');
    expect(reader.details).toEqual({ format: 'csv', encoding: 'utf-8', delimiter: ';' });
    expect(reader.headers).toEqual(['Name', 'E-Mail', 'Betrag', 'Datum', 'Notiz']);
    expect(values).toEqual([
      {
        Name: 'Müller, Anna',
        'E-Mail': 'anna@example.de',
        Betrag: '1.234,50',
        Datum: '15.03.2024',
        Notiz: 'Sagt "Hallo"',
      },
      {
        Name: 'Øystein Ærø',
        'E-Mail': 'oe@example.no',
        Betrag: '0,99',
        Datum: '01.01.2024',
        Notiz: 'Preis; inkl. MwSt.',
      },
      { Name: 'Zoë Ψ', 'E-Mail': 'zoe@example.com', Betrag: '', Datum: '29.02.2024', Notiz: '' },
    ]);
    expect(rows.map((row) => row.number)).toEqual([2, 3, 4]);
    expect(reader.issues).toEqual([]);
  });

  it('reads Windows-1252 names, including the characters Latin-1 lacks', async () => {
    const { reader, values } = await readAll('windows-1252-names.csv');
    expect(reader.details).toEqual({ format: 'csv', encoding: 'windows-1252', delimiter: ',' });
    expect(values).toEqual([
      { id: '1', name: 'François Dupont', city: 'Zürich', note: '“Très bien”' },
      { id: '2', name: 'José Núñez', city: 'São Paulo', note: 'costs €100 – paid' },
      { id: '3', name: 'Jürgen Groß', city: 'Köln', note: 'Œuvre complète; šarm' },
    ]);
  });

  it('keeps quoted newlines inside their field and numbers rows by the line they start on', async () => {
    const { reader, rows } = await readAll('quoted-newlines.csv');
    expect(reader.headers).toEqual(['id', 'comment', 'author']);
    expect(rows.map(({ number, cells }) => ({ number, cells }))).toEqual([
      { number: 2, cells: ['1', 'first line\nsecond line', 'Ann'] },
      { number: 4, cells: ['2', 'she said "hi"\r\nthen left', 'Bob'] },
      { number: 7, cells: ['3', 'plain', 'Cy'] },
      { number: 8, cells: ['4', 'short row'] },
      { number: 9, cells: ['5', 'long', 'Dee', 'extra'] },
      { number: 10, cells: ['6', 'ends with a newline\n', 'Eve'] },
    ]);
    expect(rows[3].values).toEqual({ id: '4', comment: 'short row', author: '' });
    expect(rows[4].values).toEqual({ id: '5', comment: 'long', author: 'Dee' });
  });

  it('reports ragged rows with their line numbers', async () => {
    const { reader, rows } = await readAll('quoted-newlines.csv');
    expect(reader.issues).toEqual([
      { number: 8, message: 'Line 8 has 2 fields; the header has 3.' },
      { number: 9, message: 'Line 9 has 4 fields; the header has 3.' },
    ]);
    expect(rows.filter((row) => row.issue).map((row) => row.number)).toEqual([8, 9]);
  });

  it("rejects the first ragged row with ragged: 'reject'", async () => {
    const read = readAll('quoted-newlines.csv', { ragged: 'reject' });
    await expect(read).rejects.toBeInstanceOf(SpreadsheetFormatError);
    await expect(readAll('quoted-newlines.csv', { ragged: 'reject' })).rejects.toThrow(
      'Line 8 has 2 fields; the header has 3.',
    );
  });

  it('reads UTF-16 LE with a BOM, tab-separated (Excel "Unicode Text")', async () => {
    const { reader, values } = await readAll('utf16le-bom-tab.csv');
    expect(reader.details).toEqual({ format: 'csv', encoding: 'utf-16le', delimiter: '\t' });
    expect(values).toEqual([
      { Name: 'Kāne', City: 'Honolulu' },
      { Name: '李雷', City: '北京' },
    ]);
  });

  it('reads UTF-16 BE without a BOM, pipe-separated', async () => {
    const { reader, values } = await readAll('utf16be-pipe.csv');
    expect(reader.details).toEqual({ format: 'csv', encoding: 'utf-16be', delimiter: '|' });
    expect(values).toEqual([
      { sku: '100', title: 'Crème brûlée' },
      { sku: '200', title: 'Smörgåsbord' },
    ]);
  });
});

describe('SpreadsheetService.open: a LibreOffice XLSX', () => {
  it('reads the first sheet: dates, times, numbers, formula results, rich text and links as text', async () => {
    const { reader, rows } = await readAll('libreoffice-dates-formulas.xlsx');
    expect(reader.details).toEqual({
      format: 'xlsx',
      sheet: 'Orders',
      sheets: ['Orders', 'Notes'],
    });
    expect(reader.headers).toEqual([
      'Order',
      'Ordered on',
      'Delivered at',
      'Slot',
      'Quantity',
      'Unit price',
      'Total',
      'Customer',
      'Website',
      'Paid',
      'Column 11',
      'Order (2)',
    ]);
    expect(rows.map(({ number, cells }) => ({ number, cells }))).toEqual([
      {
        number: 2,
        cells: [
          'A-1',
          '2024-03-15',
          '2024-03-16T14:30:00',
          '09:15:00',
          '3',
          '19.99',
          '59.97',
          'Acme GmbH',
          'Acme site',
          'TRUE',
          'note',
          'first',
        ],
      },
      {
        number: 3,
        cells: [
          'A-2',
          '2024-02-29',
          '2024-03-01T08:05:00',
          '23:59:59',
          '10',
          '0.1',
          '1',
          'Zoë & Co',
          'B site',
          'FALSE',
          '',
          'second',
        ],
      },
      {
        // Row 4 is empty and skipped; =SUM(E2:E4) was computed by LibreOffice when it saved.
        number: 5,
        cells: [
          'A-3',
          '1999-12-31',
          '2000-01-01',
          '',
          '-4',
          '1234567.891',
          '13',
          '=SUM(A1) typed as text',
          '',
          '',
          '',
          'third',
        ],
      },
    ]);
    expect(rows[0].values['Order (2)']).toBe('first');
    expect(rows[0].values.Order).toBe('A-1');
    expect(reader.issues).toEqual([]);
  });

  it('reads a sheet by name', async () => {
    const { reader, values } = await readAll('libreoffice-dates-formulas.xlsx', { sheet: 'Notes' });
    expect(reader.details).toMatchObject({ sheet: 'Notes' });
    expect(values).toEqual([
      { Key: 'currency', Value: 'EUR' },
      { Key: 'rows', Value: '3' },
    ]);
  });

  it('names the sheets there are when the asked-for one is missing', async () => {
    await expect(readAll('libreoffice-dates-formulas.xlsx', { sheet: 'Leads' })).rejects.toThrow(
      'The workbook has no sheet named "Leads"; its sheets are "Orders", "Notes".',
    );
  });
});

describe('SpreadsheetService.open: XLSX details Excel writes', () => {
  const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
  const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const part = (name: string, xml: string) => ({
    name,
    data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${xml}`),
  });

  it('joins rich runs, skips phonetic guides, decodes _xHHHH_, reads formula results of every type', async () => {
    const workbook = buildZip([
      part(
        '[Content_Types].xml',
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
      ),
      part(
        'xl/workbook.xml',
        `<workbook ${NS} xmlns:r="${REL}"><workbookPr date1904="1"/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
      part(
        'xl/_rels/workbook.xml.rels',
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          `<Relationship Id="rId1" Type="${REL}/worksheet" Target="/xl/worksheets/data.xml"/>` +
          `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/>` +
          `<Relationship Id="rId3" Type="${REL}/sharedStrings" Target="strings.xml"/></Relationships>`,
      ),
      part(
        'xl/styles.xml',
        `<styleSheet ${NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>` +
          '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>' +
          '<cellStyleXfs count="1"><xf/></cellStyleXfs>' +
          '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>',
      ),
      part(
        'xl/strings.xml',
        `<sst ${NS}><si><r><t>Tōkyō </t></r><r><rPr><b/></rPr><t>office</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>` +
          '<si><t>line one_x000D_\nline two</t></si></sst>',
      ),
      part(
        'xl/worksheets/data.xml',
        `<worksheet ${NS}><sheetData>` +
          '<row><c t="inlineStr"><is><r><t>Na</t></r><r><t>me</t></r></is></c><c t="inlineStr"><is><t>Note</t></is></c>' +
          '<c t="inlineStr"><is><t>Day</t></is></c><c t="inlineStr"><is><t>At</t></is></c><c t="inlineStr"><is><t>Ok</t></is></c>' +
          '<c t="inlineStr"><is><t>Err</t></is></c><c t="inlineStr"><is><t>Calc</t></is></c><c t="inlineStr"><is><t>Iso</t></is></c></row>' +
          '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c s="1"><v>0</v></c><c s="2"><v>43904.5</v></c>' +
          '<c t="b"><f>1=1</f><v>1</v></c><c t="e"><f>1/0</f><v>#DIV/0!</v></c><c t="str"><f>"a"&amp;"b"</f><v>ab</v></c>' +
          '<c t="d"><v>2024-03-15T08:30:00</v></c></row>' +
          '</sheetData></worksheet>',
      ),
    ]);
    const path = join(tmpdir(), `conveyor-excel-${process.pid}.xlsx`);
    await writeFile(path, workbook);
    try {
      const { reader, rows } = await readAll(path);
      expect(reader.headers).toEqual(['Name', 'Note', 'Day', 'At', 'Ok', 'Err', 'Calc', 'Iso']);
      // Serial 0 in the 1904 system is 1904-01-01.
      expect(rows.map((row) => row.cells)).toEqual([
        [
          'Tōkyō office',
          'line one\r\nline two',
          '1904-01-01',
          '2024-03-15T12:00:00',
          'TRUE',
          '#DIV/0!',
          'ab',
          '2024-03-15T08:30:00',
        ],
      ]);
    } finally {
      await rm(path, { force: true });
    }
  });
});

describe('SpreadsheetReader', () => {
  async function openDescriptors(path: string): Promise<number> {
    const fds = await readdir('/proc/self/fd');
    const targets = await Promise.all(
      fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
    );
    return targets.filter((target) => target === path).length;
  }

  it('closes the file when a loop leaves early', async () => {
    const csv = join(tmpdir(), `conveyor-early-${process.pid}.csv`);
    const xlsx = join(tmpdir(), `conveyor-early-${process.pid}.xlsx`);
    await writeFile(
      csv,
      `n,text\n${Array.from({ length: 100_000 }, (_, i) => `${i},row ${i}`).join('\n')}\n`,
    );
    const writer = SpreadsheetWriter.toFile(xlsx, { format: 'xlsx', columns: ['n', 'text'] });
    for (let i = 0; i < 30_000; i++) await writer.addRow([i, `row ${i}`]);
    await writer.finish();
    try {
      for (const path of [csv, xlsx]) {
        const reader = await spreadsheets.open(path);
        for await (const row of reader) {
          expect(row.number).toBe(2);
          expect(await openDescriptors(path)).toBe(1); // still reading
          break;
        }
        await new Promise((resolve) => setImmediate(resolve));
        expect(await openDescriptors(path)).toBe(0);
      }
    } finally {
      await rm(csv, { force: true });
      await rm(xlsx, { force: true });
    }
  });

  it('hands out rows in batches for batched inserts', async () => {
    const reader = await spreadsheets.open(fixture('quoted-newlines.csv'));
    const sizes: number[] = [];
    for await (const batch of reader.batches(4)) sizes.push(batch.length);
    expect(sizes).toEqual([4, 2]);
    expect(reader.rowCount).toBe(6);
  });
});
