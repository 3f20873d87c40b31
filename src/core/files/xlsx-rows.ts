import ExcelJS from 'exceljs';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { Readable } from 'node:stream';
import { dateText, numberText } from './cell-text.js';
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
 * The parts of exceljs's streaming WorkbookReader we drive ourselves (exceljs 4.4): its parsers
 * for the workbook, its relationships and its styles (sheet names, 1904 dates, built-in and custom
 * number formats). Its `parse()` is not used: it unzips with unzipper, which trusts the sizes an
 * archive declares, and decodes each chunk on its own (corrupting characters split across chunks,
 * exceljs#2063); we feed these parsers entries from our guarded unzip, as UTF-8 text.
 */
interface WorkbookReaderParts {
  model?: { sheets?: { name: string; rId: string; state?: string }[] };
  workbookRels?: { Id: string; Target: string; Type: string }[];
  properties?: { model?: { date1904?: boolean } };
  styles: { getStyleModel(id: number): { numFmt?: string } | null };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
}

/**
 * XLSX rows of the first visible (or the named) sheet, as text. Before anything is parsed, the
 * zip's central directory is checked: declared unpacked size and per-part compression ratio
 * within limits. Each part is then unpacked through a guard that fails the moment it outgrows
 * its declared size, so a lying zip bomb cannot get past the check either.
 *
 * The shared strings and the sheet itself are read with saxes (the XML parser exceljs uses)
 * straight into strings: exceljs's WorksheetReader builds row, cell, style and value objects per
 * cell, which halved throughput and tripled memory on 100,000-row sheets (bench/spreadsheets).
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
  const closeAll = (): void => open.forEach((stream) => stream.destroy());
  const entry = async (name: string): Promise<Readable> => {
    const found = zip.get(name);
    if (!found) {
      throw new SpreadsheetFormatError(`The XLSX file has no ${name}; it is not a valid workbook.`);
    }
    const stream = await zip.openEntry(found);
    stream.setEncoding('utf8');
    open.push(stream);
    return stream;
  };

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'ignore',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  }) as unknown as WorkbookReaderParts;

  let sheet: { name: string; part: string };
  let sheets: string[];
  let sharedStrings: string[] = [];
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
    if (strings) sharedStrings = await readSharedStrings(await entry(strings), limits);
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
    if (!rel) {
      throw new SpreadsheetFormatError(`The sheet "${chosen.name}" has no part in the workbook.`);
    }
    sheet = { name: chosen.name, part: resolvePart(rel.Target) };
  } catch (error) {
    closeAll();
    throw xlsxError(error);
  }

  const styleIsDate = new Map<number, boolean>();
  const isDateStyle = (style: number): boolean => {
    let date = styleIsDate.get(style);
    if (date === undefined) {
      date = isDateFormat(reader.styles.getStyleModel(style)?.numFmt);
      styleIsDate.set(style, date);
    }
    return date;
  };
  const sheetRows = new SheetRowParser(
    sharedStrings,
    isDateStyle,
    Boolean(reader.properties?.model?.date1904),
    limits,
  );
  const stream = await entry(sheet.part).catch((error: unknown) => {
    closeAll();
    throw xlsxError(error);
  });

  async function* batches(): AsyncGenerator<RawRow[]> {
    try {
      for await (const chunk of stream) {
        const rows = sheetRows.write(chunk as string);
        if (rows.length > 0) yield rows;
      }
      const rows = sheetRows.close();
      if (rows.length > 0) yield rows;
    } catch (error) {
      throw xlsxError(error);
    } finally {
      closeAll();
    }
  }

  return {
    details: { sheet: sheet.name, sheets },
    batches: batches(),
    close: async () => closeAll(),
  };
}

/** The shared string table: each <si> as its text (runs joined, phonetic guides left out). */
async function readSharedStrings(stream: Readable, limits: SpreadsheetLimits): Promise<string[]> {
  const strings: string[] = [];
  const parser = new SaxesParser();
  let text = '';
  let inText = false;
  let inPhonetic = false;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    switch (tag.name) {
      case 'si':
        text = '';
        break;
      case 't':
        inText = !inPhonetic;
        break;
      case 'rPh':
        inPhonetic = true;
        break;
    }
  });
  parser.on('text', (value: string) => {
    if (!inText) return;
    text += value;
    if (text.length > limits.maxCellChars) {
      throw new SpreadsheetLimitError(
        'maxCellChars',
        `Shared string ${strings.length} is longer than ${limits.maxCellChars} characters.`,
      );
    }
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    switch (tag.name) {
      case 't':
        inText = false;
        break;
      case 'rPh':
        inPhonetic = false;
        break;
      case 'si':
        strings.push(decodeEscapes(text));
        break;
    }
  });
  for await (const chunk of stream) parser.write(chunk as string);
  parser.close();
  return strings;
}

/**
 * One worksheet's XML to rows of text, chunk by chunk. Cells: shared strings, inline strings
 * (runs joined), numbers as Excel shows them in General format, dates (by their number format)
 * as ISO 8601, booleans as TRUE/FALSE, errors as their code, formulas as their cached result.
 */
class SheetRowParser {
  private readonly parser = new SaxesParser();
  private ready: RawRow[] = [];
  private row: RawRow | undefined;
  private rowNumber = 0;
  private column = 0;
  private type: string | undefined;
  private style = 0;
  private value = '';
  private capturing = false;
  private inPhonetic = false;

  constructor(
    private readonly strings: readonly string[],
    private readonly isDateStyle: (style: number) => boolean,
    private readonly date1904: boolean,
    private readonly limits: SpreadsheetLimits,
  ) {
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('text', (text) => this.text(text));
    this.parser.on('closetag', (tag) => this.closeTag(tag));
  }

  /** Parses a chunk of the sheet; returns the rows it completed. */
  write(chunk: string): RawRow[] {
    this.parser.write(chunk);
    return this.take();
  }

  close(): RawRow[] {
    this.parser.close();
    return this.take();
  }

  private take(): RawRow[] {
    const rows = this.ready;
    this.ready = [];
    return rows;
  }

  private open(tag: SaxesTagPlain): void {
    switch (tag.name) {
      case 'row': {
        const r = tag.attributes.r;
        this.rowNumber = r ? Number(r) : this.rowNumber + 1;
        this.row = { number: this.rowNumber, cells: [] };
        this.column = 0;
        break;
      }
      case 'c': {
        const r = tag.attributes.r;
        this.column = r ? columnOf(r) : this.column + 1;
        if (this.column > this.limits.maxColumns) {
          throw new SpreadsheetLimitError(
            'maxColumns',
            `Row ${this.rowNumber} has a value in column ${this.column} (${columnLetters(this.column)}); at most ${this.limits.maxColumns} columns are read.`,
          );
        }
        this.type = tag.attributes.t;
        const style = tag.attributes.s;
        this.style = style ? Number(style) : 0;
        this.value = '';
        break;
      }
      case 'v':
        this.capturing = true;
        break;
      case 't':
        // Inline string text (<is><t> or <is><r><t>), but not phonetic guides (<rPh><t>).
        this.capturing = !this.inPhonetic;
        break;
      case 'rPh':
        this.inPhonetic = true;
        break;
    }
  }

  private text(text: string): void {
    if (!this.capturing) return;
    this.value += text;
    if (this.value.length > this.limits.maxCellChars) {
      throw new SpreadsheetLimitError(
        'maxCellChars',
        `Cell ${columnLetters(this.column)}${this.rowNumber} is longer than ${this.limits.maxCellChars} characters.`,
      );
    }
  }

  private closeTag(tag: SaxesTagPlain): void {
    switch (tag.name) {
      case 'v':
      case 't':
        this.capturing = false;
        break;
      case 'rPh':
        this.inPhonetic = false;
        break;
      case 'c': {
        const row = this.row;
        if (!row) break;
        const text = this.cellText();
        if (text === '') break;
        const cells = row.cells;
        while (cells.length < this.column - 1) cells.push('');
        cells[this.column - 1] = text;
        break;
      }
      case 'row':
        if (this.row) this.ready.push(this.row);
        this.row = undefined;
        break;
    }
  }

  private cellText(): string {
    const value = this.value;
    switch (this.type) {
      case 's': {
        const text = this.strings[Number(value)];
        if (text === undefined && value !== '') {
          throw new SpreadsheetFormatError(
            `Cell ${columnLetters(this.column)}${this.rowNumber} points to shared string ${value}, which does not exist.`,
          );
        }
        return text ?? '';
      }
      case 'inlineStr':
      case 'str':
        return decodeEscapes(value);
      case 'b':
        return value === '' ? '' : value === '0' ? 'FALSE' : 'TRUE';
      case 'e':
        return value;
      case 'd':
        // An ISO 8601 date (strict OOXML), without a zone like every Excel date.
        if (/^\d{4}-\d{2}-\d{2}$/.test(value) || value === '') return value;
        return dateText(new Date(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`));
      default: {
        if (value === '') return '';
        const number = Number(value);
        if (Number.isNaN(number)) return value;
        return this.isDateStyle(this.style)
          ? dateText(serialToDate(number, this.date1904))
          : numberText(number);
      }
    }
  }
}

/** "AB12" -> 28. */
function columnOf(reference: string): number {
  let column = 0;
  for (let i = 0; i < reference.length; i++) {
    const code = reference.charCodeAt(i);
    if (code < 65 || code > 90) break;
    column = column * 26 + code - 64;
  }
  return column;
}

/** Excel serials count days from 1899-12-30 (or 1904-01-01). */
function serialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - (date1904 ? 24107 : 25569)) * 86_400_000));
}

/** OOXML escapes characters XML cannot hold as _xHHHH_ (Excel writes a CR as _x000D_). */
function decodeEscapes(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
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
