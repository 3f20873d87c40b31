import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { open } from 'node:fs/promises';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { openCsvRows } from './csv-rows.js';
import { sanitizeFilename } from './filename.js';
import { SpreadsheetFormatError, type SpreadsheetLimits } from './spreadsheet-errors.js';
import { SpreadsheetReader, type SpreadsheetFormat } from './spreadsheet-reader.js';
import {
  SpreadsheetWriter,
  type CellValue,
  type SpreadsheetWriteOptions,
} from './spreadsheet-writer.js';
import type { StoredUpload } from './upload-spec.js';
import { openXlsxRows } from './xlsx-rows.js';

export interface SpreadsheetReadOptions {
  /** XLSX: the sheet to read (default: the first visible one). */
  sheet?: string;
  /** Tighter (or, deliberately, looser) limits than the configured ones. */
  limits?: Partial<SpreadsheetLimits>;
  /** Rows that do not fit the header: reported in `issues` (default) or a 422. */
  ragged?: 'report' | 'reject';
}

/** A spreadsheet to read: a stored upload, or a path (format then decided by content). */
export type SpreadsheetSource = StoredUpload | string | { path: string; format: SpreadsheetFormat };

const MEDIA_TYPES: Record<SpreadsheetFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Reads CSV and XLSX row by row behind one interface, and writes XLSX or CSV to a file or an
 * HTTP response, streaming both ways. The only door to csv-parse and exceljs.
 */
@Injectable()
export class SpreadsheetService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Opens a spreadsheet and reads its header row; iterate the result for the data rows. */
  async open(
    source: SpreadsheetSource,
    options: SpreadsheetReadOptions = {},
  ): Promise<SpreadsheetReader> {
    const limits = { ...this.config.files.spreadsheet, ...options.limits };
    const { path, format } = await resolveSource(source);
    const ragged = options.ragged ?? 'report';
    if (format === 'xlsx') {
      const rows = await openXlsxRows(path, limits, options.sheet);
      return SpreadsheetReader.start({ format, ...rows.details }, rows, limits, ragged);
    }
    const rows = await openCsvRows(path, limits);
    return SpreadsheetReader.start({ format, ...rows.details }, rows, limits, ragged);
  }

  /** A writer to a new file (see SpreadsheetWriter). */
  createFileWriter(path: string, options: SpreadsheetWriteOptions): SpreadsheetWriter {
    return SpreadsheetWriter.toFile(path, options);
  }

  /**
   * Streams a spreadsheet as the HTTP response, as a download named `filename` (extension
   * added): rows are pulled from `rows` as the client takes the bytes.
   */
  async send(
    res: Response,
    filename: string,
    options: SpreadsheetWriteOptions,
    rows:
      | AsyncIterable<readonly CellValue[] | Readonly<Record<string, CellValue>>>
      | Iterable<readonly CellValue[] | Readonly<Record<string, CellValue>>>,
  ): Promise<void> {
    const name = `${sanitizeFilename(filename).replace(/\.(csv|xlsx)$/i, '')}.${options.format}`;
    res.setHeader('Content-Type', MEDIA_TYPES[options.format]);
    res.setHeader('Content-Disposition', contentDisposition(name));
    res.setHeader('Cache-Control', 'no-store');
    const writer = SpreadsheetWriter.toStream(res, options);
    for await (const row of rows) await writer.addRow(row);
    await writer.finish();
  }
}

async function resolveSource(
  source: SpreadsheetSource,
): Promise<{ path: string; format: SpreadsheetFormat }> {
  if (typeof source === 'string') return { path: source, format: await sniffSpreadsheet(source) };
  if ('kind' in source) {
    if (source.kind !== 'csv' && source.kind !== 'xlsx') {
      throw new SpreadsheetFormatError(
        `The file in "${source.field}" is not a spreadsheet (${source.kind}).`,
      );
    }
    return { path: source.path, format: source.kind };
  }
  return source;
}

/** XLSX is a zip (PK); anything else is read as CSV. */
async function sniffSpreadsheet(path: string): Promise<SpreadsheetFormat> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await file.read(head, 0, 4, 0);
    return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04
      ? 'xlsx'
      : 'csv';
  } finally {
    await file.close();
  }
}

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
