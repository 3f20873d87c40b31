import { UnprocessableEntityException } from '@nestjs/common';

/** The limits a spreadsheet is read within (config `files.spreadsheet`, overridable per read). */
export interface SpreadsheetLimits {
  maxRows: number;
  maxColumns: number;
  maxCellChars: number;
  maxUncompressedBytes: number;
  maxZipRatio: number;
}

export type SpreadsheetLimit = keyof SpreadsheetLimits;

/** The variable that sets each limit, so a 422 tells an operator what to change. */
export const LIMIT_VARIABLES: Record<SpreadsheetLimit, string> = {
  maxRows: 'SPREADSHEET_MAX_ROWS',
  maxColumns: 'SPREADSHEET_MAX_COLUMNS',
  maxCellChars: 'SPREADSHEET_MAX_CELL_CHARS',
  maxUncompressedBytes: 'SPREADSHEET_MAX_UNCOMPRESSED_MB',
  maxZipRatio: 'SPREADSHEET_MAX_ZIP_RATIO',
};

/**
 * A spreadsheet that goes past a limit (rows, columns, cell length, unpacked size, compression
 * ratio). A 422 whose body names the limit; routes let it bubble up, jobs record its message.
 */
export class SpreadsheetLimitError extends UnprocessableEntityException {
  constructor(
    readonly limit: SpreadsheetLimit,
    message: string,
  ) {
    super({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message,
      limit: LIMIT_VARIABLES[limit],
    });
  }
}

/** A spreadsheet that cannot be read: broken CSV quoting, a corrupt XLSX, a missing sheet. */
export class SpreadsheetFormatError extends UnprocessableEntityException {
  constructor(message: string) {
    super({ statusCode: 422, error: 'Unprocessable Entity', message });
  }
}
