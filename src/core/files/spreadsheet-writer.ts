import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { dateText } from './cell-text.js';
import type { SpreadsheetFormat } from './spreadsheet-reader.js';

export type CellValue = string | number | boolean | Date | null | undefined;

export interface SpreadsheetColumn {
  header: string;
  /** Width in characters; measured from the header and the first rows when left out. */
  width?: number;
}

export interface SpreadsheetWriteOptions {
  format: SpreadsheetFormat;
  columns: readonly (string | SpreadsheetColumn)[];
  /** XLSX only; default "Sheet1". */
  sheetName?: string;
}

/** Rows measured for column widths before the first row is written (widths precede the data). */
const WIDTH_SAMPLE_ROWS = 100;
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
/** Rows between looks at the destination's backpressure. */
const YIELD_EVERY = 500;
/** Excel's limit on the characters of a cell. */
const EXCEL_CELL_CHARS = 32767;

/**
 * Text that a spreadsheet program would run as a formula (or DDE command) gets a leading
 * apostrophe: `=`, `+`, `-`, `@`, tab and carriage return (OWASP "CSV injection"). Applied to every
 * text cell written, user data and generated text alike.
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * Writes one sheet of rows to a file or a stream (an HTTP response), streaming: XLSX through
 * exceljs's WorkbookWriter, CSV as UTF-8 with a BOM (so Excel picks the encoding) and CRLF. The
 * header row is bold and frozen (XLSX), column widths fit the content, formulas are neutralised.
 * Add rows with `addRow` (awaiting it keeps memory flat), then `finish()`.
 */
export abstract class SpreadsheetWriter {
  /** Header cells as written (neutralised); records passed to addRow use the names as given. */
  protected readonly headers: string[];
  private readonly names: string[];
  protected readonly declaredWidths: (number | undefined)[];
  private pending: CellValue[][] | undefined = [];
  private written = 0;
  private failure: Error | undefined;

  protected constructor(
    protected readonly target: Writable,
    options: SpreadsheetWriteOptions,
  ) {
    const columns = options.columns.map((column) =>
      typeof column === 'string' ? { header: column } : column,
    );
    if (columns.length === 0) throw new Error('a spreadsheet needs at least one column');
    this.names = columns.map((column) => column.header);
    this.headers = this.names.map(neutralizeFormula);
    this.declaredWidths = columns.map((column) => column.width);
    target.on('error', (error: Error) => (this.failure ??= error));
    target.on('close', () => {
      if (!target.writableFinished)
        this.failure ??= new Error('the destination closed before the spreadsheet was complete');
    });
  }

  /** A new file at `path` (removed again if the write fails). */
  static toFile(path: string, options: SpreadsheetWriteOptions): SpreadsheetWriter {
    const file = createWriteStream(path);
    const writer = SpreadsheetWriter.toStream(file, options);
    writer.onFailure = () => rm(path, { force: true });
    return writer;
  }

  static toStream(target: Writable, options: SpreadsheetWriteOptions): SpreadsheetWriter {
    return options.format === 'xlsx'
      ? new XlsxWriter(target, options)
      : new CsvWriter(target, options);
  }

  /** Cells in column order, or by header name. */
  async addRow(row: readonly CellValue[] | Readonly<Record<string, CellValue>>): Promise<void> {
    if (this.failure) throw this.failure;
    const cells = Array.isArray(row)
      ? (row as readonly CellValue[]).slice(0, this.headers.length)
      : this.names.map((name) => (row as Readonly<Record<string, CellValue>>)[name]);
    if (this.pending) {
      this.pending.push(cells);
      if (this.pending.length >= WIDTH_SAMPLE_ROWS) await this.startData();
      return;
    }
    this.writeRow(cells);
    if (++this.written % YIELD_EVERY === 0) await this.relieve();
  }

  /** Writes the rest and closes the destination; resolves once every byte is out. */
  async finish(): Promise<void> {
    try {
      if (this.pending) await this.startData();
      if (this.failure) throw this.failure;
      await this.end();
      if (this.failure) throw this.failure;
    } catch (error) {
      await this.onFailure?.();
      throw error;
    }
  }

  protected onFailure?: () => Promise<void>;
  protected abstract begin(widths: number[]): void;
  protected abstract writeRow(cells: readonly CellValue[]): void;
  protected abstract end(): Promise<void>;

  private async startData(): Promise<void> {
    const sample = this.pending ?? [];
    this.pending = undefined;
    this.begin(this.measure(sample));
    for (const cells of sample) this.writeRow(cells);
    this.written = sample.length;
    await this.relieve();
  }

  private measure(sample: readonly CellValue[][]): number[] {
    return this.headers.map((header, index) => {
      const declared = this.declaredWidths[index];
      if (declared !== undefined) return declared;
      let longest = header.length + 2; // room for the filter button
      for (const cells of sample) {
        const text = displayText(cells[index]);
        const line = text.split('\n', 1)[0];
        longest = Math.max(longest, line.length);
      }
      return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest + 1));
    });
  }

  /** Lets the zip and the destination catch up: memory stays flat however many rows are added. */
  private async relieve(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.target.writableNeedDrain && !this.failure) await drained(this.target);
    if (this.failure) throw this.failure;
  }
}

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind. */
function drained(target: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.on('drain', done);
    target.on('close', done);
  });
}

function displayText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return dateText(value);
  return String(value);
}

const PLAIN_STYLE: Partial<ExcelJS.Style> = {};
const DATE_STYLE: Partial<ExcelJS.Style> = { numFmt: 'yyyy-mm-dd' };
const DATE_TIME_STYLE: Partial<ExcelJS.Style> = { numFmt: 'yyyy-mm-dd hh:mm:ss' };

class XlsxWriter extends SpreadsheetWriter {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private sheet: ExcelJS.Worksheet | undefined;
  private readonly sheetName: string;

  constructor(target: Writable, options: SpreadsheetWriteOptions) {
    super(target, options);
    this.sheetName = sheetName(options.sheetName);
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: target,
      useStyles: true,
      useSharedStrings: false,
    });
  }

  protected begin(widths: number[]): void {
    const sheet = this.workbook.addWorksheet(this.sheetName, {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    });
    sheet.columns = widths.map((width) => ({ width }));
    const header = sheet.addRow(this.headers);
    header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E78' } };
    header.alignment = { vertical: 'middle' };
    header.border = { bottom: { style: 'thin', color: { argb: 'FF000000' } } };
    header.commit();
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: this.headers.length } };
    this.sheet = sheet;
  }

  protected writeRow(cells: readonly CellValue[]): void {
    const values = cells.map((value) => {
      if (typeof value === 'string') return neutralizeFormula(value).slice(0, EXCEL_CELL_CHARS);
      if (typeof value === 'number' && !Number.isFinite(value)) return null;
      if (value instanceof Date && Number.isNaN(value.getTime())) return null;
      return value ?? null;
    });
    const row = this.sheet!.addRow(values);
    // exceljs resolves a cell's style once per style object it sees: giving every cell one of
    // three shared objects (instead of a fresh {} each) saves a lookup per cell, a third of the
    // write time.
    row.eachCell((cell, column) => {
      const value = values[column - 1];
      cell.style =
        value instanceof Date
          ? dateText(value).includes('T')
            ? DATE_TIME_STYLE
            : DATE_STYLE
          : PLAIN_STYLE;
    });
    row.commit();
  }

  protected async end(): Promise<void> {
    this.sheet!.commit();
    await this.workbook.commit();
  }
}

class CsvWriter extends SpreadsheetWriter {
  private buffer = '\uFEFF';

  protected begin(): void {
    this.buffer += `${this.headers.map(csvField).join(',')}\r\n`;
  }

  protected writeRow(cells: readonly CellValue[]): void {
    const fields: string[] = [];
    for (let i = 0; i < this.headers.length; i++) fields.push(csvField(csvText(cells[i])));
    this.buffer += `${fields.join(',')}\r\n`;
    if (this.buffer.length >= 64 * 1024) this.flush();
  }

  protected async end(): Promise<void> {
    this.flush();
    this.target.end();
    await once(this.target, 'finish');
  }

  private flush(): void {
    if (this.buffer.length > 0) this.target.write(this.buffer, 'utf8');
    this.buffer = '';
  }
}

function csvText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return neutralizeFormula(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  return Number.isFinite(value) ? String(value) : '';
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Excel refuses sheet names over 31 characters or with []:*?/\ in them. */
function sheetName(name: string | undefined): string {
  const clean = (name ?? 'Sheet1')
    .replace(/[[\]:*?/\\]/g, ' ')
    .trim()
    .slice(0, 31);
  return clean || 'Sheet1';
}
