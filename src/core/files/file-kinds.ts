/**
 * The kinds of file the intake recognises by content. A route names the kinds it accepts; the
 * detected kind (never the file name or the client's Content-Type) decides.
 */
export const FILE_KINDS = {
  csv: { label: 'CSV', noun: 'a CSV file', mediaType: 'text/csv' },
  xlsx: {
    label: 'XLSX',
    noun: 'an XLSX workbook',
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  },
  pdf: { label: 'PDF', noun: 'a PDF document', mediaType: 'application/pdf' },
  docx: {
    label: 'DOCX',
    noun: 'a DOCX document',
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  },
  png: { label: 'PNG', noun: 'a PNG image', mediaType: 'image/png' },
  jpeg: { label: 'JPEG', noun: 'a JPEG image', mediaType: 'image/jpeg' },
  gif: { label: 'GIF', noun: 'a GIF image', mediaType: 'image/gif' },
  webp: { label: 'WebP', noun: 'a WebP image', mediaType: 'image/webp' },
  json: { label: 'JSON', noun: 'a JSON document', mediaType: 'application/json' },
  html: { label: 'HTML', noun: 'an HTML document', mediaType: 'text/html' },
  eml: { label: 'email (.eml)', noun: 'an email message (.eml)', mediaType: 'message/rfc822' },
  mbox: { label: 'mailbox (.mbox)', noun: 'a mailbox (.mbox)', mediaType: 'application/mbox' },
  text: { label: 'plain text', noun: 'plain text', mediaType: 'text/plain' },
} as const satisfies Record<string, { label: string; noun: string; mediaType: string }>;

export type FileKind = keyof typeof FILE_KINDS;

/** Groups the seed routes use. */
export const SPREADSHEET_KINDS = ['csv', 'xlsx'] as const satisfies readonly FileKind[];
export const IMAGE_KINDS = ['png', 'jpeg', 'gif', 'webp'] as const satisfies readonly FileKind[];
export const DOCUMENT_KINDS = [
  'pdf',
  'docx',
  'text',
  'html',
] as const satisfies readonly FileKind[];
export const TRANSCRIPT_KINDS = [
  'text',
  'html',
  'eml',
  'mbox',
  'json',
  'csv',
] as const satisfies readonly FileKind[];

/** "CSV, XLSX" — for messages that tell a user what a route takes. */
export function describeKinds(kinds: readonly FileKind[]): string {
  return kinds.map((kind) => FILE_KINDS[kind].label).join(', ');
}

export function mediaTypeOf(kind: FileKind): string {
  return FILE_KINDS[kind].mediaType;
}

export function isFileKind(value: string): value is FileKind {
  return Object.hasOwn(FILE_KINDS, value);
}
