import { parse, type Parser } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { sniffCsvDialect, type CsvDelimiter } from './csv-dialect.js';
import { readBatches } from './read-batches.js';
import {
  SpreadsheetFormatError,
  SpreadsheetLimitError,
  type SpreadsheetLimits,
} from './spreadsheet-errors.js';
import type { RawRow, RowSource } from './spreadsheet-source.js';
import {
  createChunkDecoder,
  decodeSample,
  detectFileEncoding,
  type ChunkDecoder,
  type TextEncoding,
} from './text-encoding.js';

const SAMPLE_BYTES = 64 * 1024;

export interface CsvDetails {
  encoding: TextEncoding;
  delimiter: CsvDelimiter;
}

/**
 * CSV records as raw rows: the encoding guessed over the whole file, the delimiter sniffed from
 * the first 64 KB, quoted newlines kept inside their field, each row numbered by the line it
 * starts on.
 */
export async function openCsvRows(
  path: string,
  limits: SpreadsheetLimits,
): Promise<RowSource<CsvDetails>> {
  const guess = await detectFileEncoding(path);
  const { sample, complete } = await readSample(path);
  const text = decodeSample(sample, guess);
  const { delimiter } = sniffCsvDialect(text, complete);

  const input = createReadStream(path, { start: guess.bomLength, highWaterMark: 256 * 1024 });
  const parser: Parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    // Empty lines come through as one empty field (and are skipped as blank rows later), so
    // counting records and the newlines inside quoted fields gives every row its line number.
    // (csv-parse's own line count costs a per-record info object: a sixth of the parse time.)
    skip_empty_lines: false,
    // Bounds what one unterminated quote can make the parser hold.
    max_record_size: Math.min(limits.maxCellChars * limits.maxColumns, 64 * 1024 * 1024),
  });
  input.on('error', (error) => parser.destroy(error));
  // UTF-8 goes to the parser as bytes (it decodes them itself, fastest); others are decoded first.
  const feed: Readable =
    guess.encoding === 'utf-8'
      ? input
      : input.pipe(new DecodeToUtf8(createChunkDecoder(guess.encoding)));
  feed.pipe(parser);

  async function* batches(): AsyncGenerator<RawRow[]> {
    let line = 1;
    try {
      for await (const records of readBatches<string[]>(parser)) {
        const rows: RawRow[] = new Array<RawRow>(records.length);
        for (let i = 0; i < records.length; i++) {
          const cells = records[i];
          rows[i] = { number: line, cells };
          line += 1 + scanFields(cells, line, limits.maxCellChars);
        }
        yield rows;
      }
    } catch (error) {
      throw error instanceof SpreadsheetLimitError ? error : csvError(error, limits, line);
    }
  }

  return {
    details: { encoding: guess.encoding, delimiter },
    batches: batches(),
    close: async () => {
      input.destroy();
      parser.destroy();
    },
  };
}

class DecodeToUtf8 extends Transform {
  constructor(private readonly decoder: ChunkDecoder) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, this.decoder.write(chunk));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.decoder.end());
  }
}

/**
 * One pass over a record's fields: fails on a field past the cell limit, and counts the newlines
 * inside quoted fields (the record's next line number depends on them).
 */
function scanFields(record: string[], line: number, maxCellChars: number): number {
  let count = 0;
  for (let i = 0; i < record.length; i++) {
    const field = record[i];
    if (field.length > maxCellChars) {
      throw new SpreadsheetLimitError(
        'maxCellChars',
        `The field ${i + 1} of line ${line} is longer than ${maxCellChars} characters.`,
      );
    }
    let at = field.indexOf('\n');
    while (at !== -1) {
      count++;
      at = field.indexOf('\n', at + 1);
    }
  }
  return count;
}

async function readSample(path: string): Promise<{ sample: Buffer; complete: boolean }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const length = Math.min(size, SAMPLE_BYTES);
    const sample = Buffer.alloc(length);
    await file.read(sample, 0, length, 0);
    return { sample, complete: length === size };
  } finally {
    await file.close();
  }
}

/** `recordLine`: where the failing record starts (csv-parse reports where it noticed). */
function csvError(error: unknown, limits: SpreadsheetLimits, recordLine: number): Error {
  const code = (error as { code?: string }).code;
  const line = (error as { lines?: number }).lines;
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new SpreadsheetLimitError(
      'maxCellChars',
      `The record on line ${recordLine} is longer than ${limits.maxCellChars * limits.maxColumns} characters (an unclosed quote?).`,
    );
  }
  if (code?.startsWith('CSV_') || code?.startsWith('INVALID_')) {
    return new SpreadsheetFormatError(
      `The CSV file cannot be read at line ${line}: ${(error as Error).message}`,
    );
  }
  return error as Error;
}
