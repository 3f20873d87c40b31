import ExcelJS from 'exceljs';
import type { Readable } from 'node:stream';
import { cellValueText } from './cell-text.js';
import { formatBytes } from './format-bytes.js';
import {
  SpreadsheetFormatError,
  SpreadsheetLimitError,
  type SpreadsheetLimits,
} from './spreadsheet-errors.js';
import type { RawRow, RowSource } from './spreadsheet-source.js';
import { ZipDirectory, ZipEntryOverrunError, ZipFormatError } from './zip-directory.js';

export interface XlsxDetails {
  /** The sheet read. */
  sheet: string;
  /** Every sheet in the workbook, in tab order. */
  sheets: string[];
}

/** Entries below this size are not held to the compression ratio (tiny XML parts compress well). */
const RATIO_FLOOR_BYTES = 1024 * 1024;

/**
 * The parts of exceljs's streaming WorkbookReader we drive ourselves (exceljs 4.4, pinned). Its
 * own `parse()` unzips with unzipper, which trusts the sizes an archive declares and decodes
 * every chunk separately (corrupting characters split across chunks, exceljs#2063); we feed its
 * XML parsers with entries from our guarded unzip instead, as UTF-8 text.
 */
interface WorkbookReaderParts {
  model?: { sheets?: { name: string; rId: string; state?: string }[] };
  workbookRels?: { Id: string; Target: string; Type: string }[];
  properties?: { model?: { date1904?: boolean } };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: Readable, sheetNo: string): Generator<{ value: WorksheetRows }>;
}

interface WorksheetRows {
  name: string;
  parse(): AsyncGenerator<{ eventType: string; value: unknown }[]>;
}

interface SheetRow {
  number: number;
  eachCell(callback: (cell: SheetCell, column: number) => void): void;
}

interface SheetCell {
  value: unknown;
  numFmt?: string;
}

/**
 * XLSX rows of the first (or the named) sheet. Before exceljs sees a byte, the zip's central
 * directory is checked: declared unpacked size and per-part compression ratio within limits.
 * While reading, each part is unpacked through a guard that fails the moment it outgrows its
 * declared size, so a lying zip bomb cannot get past the check either.
 */
export async function openXlsxRows(
  path: string,
  limits: SpreadsheetLimits,
  sheetName?: string,
): Promise<RowSource<XlsxDetails>> {
  let zip: ZipDirectory;
  try {
    zip = await ZipDirectory.open(path);
  } catch (error) {
    throw xlsxError(error);
  }
  checkDeclaredSizes(zip, limits);

  const open: Readable[] = [];
  const entry = async (name: string): Promise<Readable> => {
    const found = zip.get(name);
    if (!found)
      throw new SpreadsheetFormatError(`The XLSX file has no ${name}; it is not a valid workbook.`);
    const stream = await zip.openEntry(found);
    stream.setEncoding('utf8');
    open.push(stream);
    return stream;
  };

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  }) as unknown as WorkbookReaderParts;

  let sheet: { name: string; part: string };
  let sheets: string[];
  try {
    await reader._parseRels(await entry('xl/_rels/workbook.xml.rels'));
    await reader._parseWorkbook(await entry('xl/workbook.xml'));
    const rels = reader.workbookRels ?? [];
    const partOf = (type: string, fallback: string): string | undefined => {
      const rel = rels.find((candidate) => candidate.Type.endsWith(`/${type}`));
      const part = rel ? resolvePart(rel.Target) : fallback;
      return zip.has(part) ? part : undefined;
    };
    // Styles tell dates from numbers; shared strings hold most text. Both precede the sheet.
    const styles = partOf('styles', 'xl/styles.xml');
    if (styles) await reader._parseStyles(await entry(styles));
    const strings = partOf('sharedStrings', 'xl/sharedStrings.xml');
    if (strings) {
      for await (const _ of reader._parseSharedStrings(await entry(strings))) {
        // 'cache' mode yields nothing; the loop drives the parser.
      }
    }
    const listed = reader.model?.sheets ?? [];
    sheets = listed.map((candidate) => candidate.name);
    const chosen = sheetName
      ? listed.find((candidate) => candidate.name === sheetName)
      : (listed.find(
          (candidate) => candidate.state !== 'hidden' && candidate.state !== 'veryHidden',
        ) ?? listed[0]);
    if (!chosen) {
      throw new SpreadsheetFormatError(
        sheetName
          ? `The workbook has no sheet named "${sheetName}"; its sheets are ${sheets.map((name) => `"${name}"`).join(', ')}.`
          : 'The workbook has no sheets.',
      );
    }
    const rel = rels.find((candidate) => candidate.Id === chosen.rId);
    if (!rel)
      throw new SpreadsheetFormatError(`The sheet "${chosen.name}" has no part in the workbook.`);
    sheet = { name: chosen.name, part: resolvePart(rel.Target) };
  } catch (error) {
    open.forEach((stream) => stream.destroy());
    throw xlsxError(error);
  }

  const sheetStream = await entry(sheet.part);
  const [{ value: worksheet }] = [...reader._parseWorksheet(sheetStream, '1')];
  worksheet.name = sheet.name;
  const date1904 = Boolean(reader.properties?.model?.date1904);

  const toRaw = (row: SheetRow): RawRow => {
    const cells: string[] = [];
    row.eachCell((cell, column) => {
      if (column > limits.maxColumns) {
        throw new SpreadsheetLimitError(
          'maxColumns',
          `Row ${row.number} has a value in column ${column} (${columnLetters(column)}); at most ${limits.maxColumns} columns are read.`,
        );
      }
      const text = cellValueText(cell.value, isDateFormat(cell.numFmt), date1904);
      if (text.length > limits.maxCellChars) {
        throw new SpreadsheetLimitError(
          'maxCellChars',
          `Cell ${columnLetters(column)}${row.number} is longer than ${limits.maxCellChars} characters.`,
        );
      }
      while (cells.length < column - 1) cells.push('');
      cells[column - 1] = text;
    });
    return { number: row.number, cells };
  };

  async function* batches(): AsyncGenerator<RawRow[]> {
    try {
      // The reader's own events, a chunk of sheet XML at a time: one await per chunk, not per row.
      for await (const events of worksheet.parse()) {
        const batch: RawRow[] = [];
        for (const event of events) {
          if (event.eventType === 'row') batch.push(toRaw(event.value as SheetRow));
        }
        if (batch.length > 0) yield batch;
      }
    } catch (error) {
      throw xlsxError(error);
    } finally {
      open.forEach((stream) => stream.destroy());
    }
  }

  return {
    details: { sheet: sheet.name, sheets },
    batches: batches(),
    close: async () => open.forEach((stream) => stream.destroy()),
  };
}

function checkDeclaredSizes(zip: ZipDirectory, limits: SpreadsheetLimits): void {
  const total = zip.totalUncompressed;
  if (total > limits.maxUncompressedBytes) {
    throw new SpreadsheetLimitError(
      'maxUncompressedBytes',
      `The workbook would unpack to ${formatBytes(total)}, more than the ${formatBytes(limits.maxUncompressedBytes)} allowed (a zip bomb?).`,
    );
  }
  for (const entry of zip.entries) {
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > RATIO_FLOOR_BYTES && ratio > limits.maxZipRatio) {
      throw new SpreadsheetLimitError(
        'maxZipRatio',
        `The workbook part ${entry.name} would unpack to ${Math.round(ratio)} times its packed size; at most ${limits.maxZipRatio} is allowed (a zip bomb?).`,
      );
    }
  }
}

/** Relationship targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml"). */
function resolvePart(target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part === '..') resolved.pop();
    else if (part !== '.' && part !== '') resolved.push(part);
  }
  return resolved.join('/');
}

/** exceljs's rule: a number format with date or time letters outside quotes and brackets. */
function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  return /[ymdhMsb]+/.test(format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

export function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

function xlsxError(error: unknown): unknown {
  if (error instanceof ZipEntryOverrunError) {
    return new SpreadsheetLimitError(
      'maxUncompressedBytes',
      `The workbook part ${error.entry} unpacks to more than the ${formatBytes(error.declaredBytes)} its zip directory declares (a zip bomb?).`,
    );
  }
  if (error instanceof ZipFormatError) {
    return new SpreadsheetFormatError(`The XLSX file is damaged: ${error.message}.`);
  }
  if (error instanceof Error && /^[^\s]*:\d+:\d+: /.test(error.message)) {
    // saxes: the XML of a part is broken.
    return new SpreadsheetFormatError(`The XLSX file has broken XML: ${error.message}`);
  }
  return error;
}
