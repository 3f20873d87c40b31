import { defineSection, env } from '../env-spec.js';

const MB = 1024 * 1024;

export const filesEnv = defineSection(
  'files',
  'Uploads and spreadsheets',
  {
    UPLOAD_MAX_SPREADSHEET_MB: env.int('Largest spreadsheet upload (CSV, XLSX).', 50, {
      min: 1,
      max: 4096,
    }),
    UPLOAD_MAX_TRANSCRIPT_MB: env.int('Largest transcript upload (text, HTML, email).', 10, {
      min: 1,
      max: 4096,
    }),
    UPLOAD_MAX_SPECIFICATION_MB: env.int('Largest product specification or drawing upload.', 10, {
      min: 1,
      max: 4096,
    }),
    UPLOAD_MAX_IMAGE_MB: env.int('Largest image upload.', 10, { min: 1, max: 4096 }),
    UPLOAD_MAX_FIELD_KB: env.int('Largest text field of an upload form.', 64, {
      min: 1,
      max: 10240,
    }),
    FILE_RETENTION_DAYS: env.int('Uploaded files are deleted this many days after upload.', 30, {
      min: 1,
    }),
    SPREADSHEET_MAX_ROWS: env.int('Most data rows read from one spreadsheet.', 250000, {
      min: 1,
    }),
    SPREADSHEET_MAX_COLUMNS: env.int('Most columns read from one spreadsheet.', 500, {
      min: 1,
      max: 16384,
    }),
    SPREADSHEET_MAX_CELL_CHARS: env.int('Longest cell read from a spreadsheet.', 32767, {
      min: 1,
    }),
    SPREADSHEET_MAX_UNCOMPRESSED_MB: env.int(
      'Most bytes an XLSX may unpack to (zip bomb guard).',
      300,
      { min: 1 },
    ),
    SPREADSHEET_MAX_ZIP_RATIO: env.int(
      'Highest compression ratio of a part of an XLSX (zip bomb guard).',
      200,
      { min: 10 },
    ),
  },
  (v) => ({
    /** Upload size limits per intake purpose, in bytes. */
    maxBytes: {
      spreadsheet: v.UPLOAD_MAX_SPREADSHEET_MB * MB,
      transcript: v.UPLOAD_MAX_TRANSCRIPT_MB * MB,
      specification: v.UPLOAD_MAX_SPECIFICATION_MB * MB,
      image: v.UPLOAD_MAX_IMAGE_MB * MB,
    },
    maxFieldBytes: v.UPLOAD_MAX_FIELD_KB * 1024,
    retentionDays: v.FILE_RETENTION_DAYS,
    spreadsheet: {
      maxRows: v.SPREADSHEET_MAX_ROWS,
      maxColumns: v.SPREADSHEET_MAX_COLUMNS,
      maxCellChars: v.SPREADSHEET_MAX_CELL_CHARS,
      maxUncompressedBytes: v.SPREADSHEET_MAX_UNCOMPRESSED_MB * MB,
      maxZipRatio: v.SPREADSHEET_MAX_ZIP_RATIO,
    },
  }),
);
