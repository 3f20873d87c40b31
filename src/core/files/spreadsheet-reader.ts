import type { CsvDetails } from './csv-rows.js';
import {
  SpreadsheetFormatError,
  SpreadsheetLimitError,
  type SpreadsheetLimits,
} from './spreadsheet-errors.js';
import type { RawRow, RowSource } from './spreadsheet-source.js';
import { columnLetters, type XlsxDetails } from './xlsx-rows.js';

export type SpreadsheetFormat = 'csv' | 'xlsx';

export interface SpreadsheetRow {
  /** CSV: the line the record starts on (quoted newlines count); XLSX: the sheet's row number. */
  number: number;
  /** The cells in column order, as text. */
  cells: string[];
  /** The cells by header; a cell the row lacks is ''. */
  values: Record<string, string>;
  /** Set when the row does not fit the header (also collected in `issues`). */
  issue?: string;
}

export interface RowIssue {
  number: number;
  message: string;
}

export type SpreadsheetDetails =
  ({ format: 'csv' } & CsvDetails) | ({ format: 'xlsx' } & XlsxDetails);

/** At most this many issues are kept (their count is always exact). */
const MAX_KEPT_ISSUES = 1000;

/**
 * One spreadsheet, CSV or XLSX, read row by row: the first non-empty row is the header (blank
 * header cells become "Column N", repeated ones "Name (2)"), every later non-empty row comes with
 * its cells by header. Rows that do not fit the header are reported with their line number
 * (`issues`), or rejected with `ragged: 'reject'`. Iterate once; `close()` stops early.
 */
export class SpreadsheetReader implements AsyncIterable<SpreadsheetRow> {
  readonly issues: RowIssue[] = [];
  issueCount = 0;
  private dataRows = 0;
  private consumed = false;
  /** Plain objects are fastest; a "__proto__" header needs objects without a prototype. */
  private readonly newValues: () => Record<string, string>;

  private constructor(
    readonly details: SpreadsheetDetails,
    readonly headers: readonly string[],
    readonly headerRow: number,
    private readonly source: RowSource<unknown>,
    /** Rows of the header's batch that follow the header. */
    private readonly leftover: RawRow[],
    private readonly limits: SpreadsheetLimits,
    private readonly ragged: 'report' | 'reject',
  ) {
    this.newValues = headers.includes('__proto__')
      ? () => Object.create(null) as Record<string, string>
      : () => ({});
  }

  static async start(
    details: SpreadsheetDetails,
    source: RowSource<unknown>,
    limits: SpreadsheetLimits,
    ragged: 'report' | 'reject',
  ): Promise<SpreadsheetReader> {
    try {
      // next(), not for-await: leaving a for-await would close the source.
      for (let next = await source.batches.next(); !next.done; next = await source.batches.next()) {
        const batch = next.value;
        const index = batch.findIndex((row) => !isBlank(row.cells));
        if (index < 0) continue;
        const header = batch[index];
        // Cell lengths are checked by the format readers as they parse.
        if (header.cells.length > limits.maxColumns) {
          throw new SpreadsheetLimitError(
            'maxColumns',
            `The header has ${header.cells.length} columns; at most ${limits.maxColumns} are read.`,
          );
        }
        const headers = buildHeaders(header.cells);
        const rest = batch.slice(index + 1);
        return new SpreadsheetReader(details, headers, header.number, source, rest, limits, ragged);
      }
      throw new SpreadsheetFormatError('The spreadsheet is empty: it has no header row.');
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  get format(): SpreadsheetFormat {
    return this.details.format;
  }

  /** Data rows read so far. */
  get rowCount(): number {
    return this.dataRows;
  }

  /**
   * Row by row. Hand-written rather than an async generator: `yield*` over each batch cost a
   * third of the read time of a 100,000-row CSV; here a row already read costs one resolved
   * promise. Leaving the loop early (break, throw) closes the file.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<SpreadsheetRow> {
    const batches = this.rowBatches();
    let batch: SpreadsheetRow[] = [];
    let index = 0;
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
    const step = (
      result: IteratorResult<SpreadsheetRow[]>,
    ): IteratorResult<SpreadsheetRow> | Promise<IteratorResult<SpreadsheetRow>> => {
      if (result.done) return done;
      batch = result.value;
      index = 0;
      return batch.length > 0 ? { value: batch[index++], done: false } : batches.next().then(step);
    };
    return {
      next: () =>
        index < batch.length
          ? Promise.resolve({ value: batch[index++], done: false })
          : batches.next().then(step),
      return: () => batches.return(undefined).then(() => done),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /**
   * The rows in batches of up to `size`: what hot paths want for batched INSERTs (and one await
   * per batch instead of per row).
   */
  async *batches(size = 500): AsyncGenerator<SpreadsheetRow[]> {
    let pending: SpreadsheetRow[] = [];
    for await (const batch of this.rowBatches()) {
      for (const row of batch) {
        pending.push(row);
        if (pending.length >= size) {
          yield pending;
          pending = [];
        }
      }
    }
    if (pending.length > 0) yield pending;
  }

  /** Reads every remaining row into memory (small files and tests only). */
  async toArray(): Promise<SpreadsheetRow[]> {
    const rows: SpreadsheetRow[] = [];
    for await (const batch of this.rowBatches()) rows.push(...batch);
    return rows;
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private async *rowBatches(): AsyncGenerator<SpreadsheetRow[]> {
    if (this.consumed) throw new Error('a SpreadsheetReader is read once');
    this.consumed = true;
    try {
      if (this.leftover.length > 0) yield this.toRows(this.leftover);
      for await (const batch of this.source.batches) {
        const rows = this.toRows(batch);
        if (rows.length > 0) yield rows;
      }
    } finally {
      await this.source.close();
    }
  }

  private toRows(batch: readonly RawRow[]): SpreadsheetRow[] {
    const rows: SpreadsheetRow[] = [];
    const headers = this.headers;
    const width = headers.length;
    for (const raw of batch) {
      if (isBlank(raw.cells)) continue;
      if (++this.dataRows > this.limits.maxRows) {
        throw new SpreadsheetLimitError(
          'maxRows',
          `The spreadsheet has more than ${this.limits.maxRows} data rows.`,
        );
      }
      if (raw.cells.length > this.limits.maxColumns) {
        throw new SpreadsheetLimitError(
          'maxColumns',
          `${this.where(raw)} has ${raw.cells.length} fields; at most ${this.limits.maxColumns} columns are read.`,
        );
      }
      const values = this.newValues();
      for (let i = 0; i < width; i++) values[headers[i]] = raw.cells[i] ?? '';
      const row: SpreadsheetRow = { number: raw.number, cells: raw.cells, values };
      const issue = this.fit(raw, width);
      if (issue) row.issue = issue;
      rows.push(row);
    }
    return rows;
  }

  /** A message when the row does not fit the header; throws instead with ragged: 'reject'. */
  private fit(raw: RawRow, width: number): string | undefined {
    let message: string | undefined;
    if (this.details.format === 'csv') {
      if (raw.cells.length !== width) {
        message = `${this.where(raw)} has ${raw.cells.length} field${raw.cells.length === 1 ? '' : 's'}; the header has ${width}.`;
      }
    } else if (raw.cells.length > width) {
      const extra = raw.cells.findIndex((cell, index) => index >= width && cell.trim() !== '');
      if (extra >= 0) {
        message = `${this.where(raw)} has a value in column ${columnLetters(extra + 1)}, past the ${width} header columns.`;
      }
    }
    if (!message) return undefined;
    if (this.ragged === 'reject') throw new SpreadsheetFormatError(message);
    this.issueCount++;
    if (this.issues.length < MAX_KEPT_ISSUES) this.issues.push({ number: raw.number, message });
    return message;
  }

  private where(raw: RawRow): string {
    return this.details.format === 'csv' ? `Line ${raw.number}` : `Row ${raw.number}`;
  }
}

function isBlank(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

/** Header names: trimmed, blanks named by position, repeats numbered, all distinct. */
export function buildHeaders(cells: readonly string[]): string[] {
  const taken = new Set<string>();
  const headers: string[] = [];
  const base = cells.map((cell, index) => cell.trim() || `Column ${index + 1}`);
  // Names as written are reserved first, so "Email (2)" written by the user keeps its name.
  const firstUse = new Set(base.filter((name, index) => base.indexOf(name) === index));
  for (const [index, name] of base.entries()) {
    if (!taken.has(name) && base.indexOf(name) === index) {
      taken.add(name);
      headers.push(name);
      continue;
    }
    let n = 2;
    while (taken.has(`${name} (${n})`) || firstUse.has(`${name} (${n})`)) n++;
    const unique = `${name} (${n})`;
    taken.add(unique);
    headers.push(unique);
  }
  return headers;
}
