// The public API of src/core/files (see README.md): what modules import.
export type { AuthUser } from './auth-user.js';
export {
  DOCUMENT_KINDS,
  FILE_KINDS,
  IMAGE_KINDS,
  SPREADSHEET_KINDS,
  TRANSCRIPT_KINDS,
  describeKinds,
  type FileKind,
} from './file-kinds.js';
export { FileUpload, UploadedIntake } from './file-upload.decorator.js';
export { sanitizeFilename } from './filename.js';
export { FilesModule } from './files.module.js';
export {
  SpreadsheetFormatError,
  SpreadsheetLimitError,
  type SpreadsheetLimit,
  type SpreadsheetLimits,
} from './spreadsheet-errors.js';
export type {
  RowIssue,
  SpreadsheetDetails,
  SpreadsheetFormat,
  SpreadsheetReader,
  SpreadsheetRow,
} from './spreadsheet-reader.js';
export {
  SpreadsheetService,
  type SpreadsheetReadOptions,
  type SpreadsheetSource,
} from './spreadsheet.service.js';
export {
  neutralizeFormula,
  SpreadsheetWriter,
  type CellValue,
  type SpreadsheetColumn,
  type SpreadsheetWriteOptions,
} from './spreadsheet-writer.js';
export { StoredFile } from './stored-file.entity.js';
export { StoredFilesRepository } from './stored-files.repository.js';
export {
  defineUpload,
  type StoredUpload,
  type UploadFileField,
  type UploadIntake,
  type UploadLimit,
  type UploadSpec,
  type UploadTextField,
} from './upload-spec.js';
