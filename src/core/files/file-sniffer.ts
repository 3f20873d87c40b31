import { open, readFile } from 'node:fs/promises';
import { checkCsvSample, sniffCsvDialect } from './csv-dialect.js';
import { describeKinds, FILE_KINDS, type FileKind } from './file-kinds.js';
import { decodeSample, detectSampleEncoding, type TextEncoding } from './text-encoding.js';
import { ZipDirectory } from './zip-directory.js';

/** How many leading bytes of an upload the sniffer looks at (kept while streaming to disk). */
export const SNIFF_BYTES = 64 * 1024;

/** JSON is parsed whole to prove it is JSON only up to this size; larger files are trusted by shape. */
const JSON_PARSE_LIMIT = 10 * 1024 * 1024;

export interface SniffInput {
  path: string;
  size: number;
  /** The first min(size, SNIFF_BYTES) bytes. */
  head: Buffer;
}

export type Detection =
  | { accepted: true; kind: FileKind; description: string; encoding?: TextEncoding }
  | { accepted: false; description: string; reason?: string };

/** What the bytes are, in words, and the kind when it is one the intake knows. */
interface Finding {
  description: string;
  kind?: FileKind;
  /** Why a file that looks like a known kind fails its parse check. */
  problem?: string;
}

/**
 * Decides what a file is from its content (magic bytes, then a parse check of the structure),
 * never from its name or the Content-Type the client sent, and whether it is one of the kinds a
 * route accepts.
 */
export async function detectFileKind(
  input: SniffInput,
  accepted: readonly FileKind[],
): Promise<Detection> {
  const binary = await sniffBinary(input);
  if (binary) {
    if (binary.kind && !binary.problem && accepted.includes(binary.kind)) {
      return { accepted: true, kind: binary.kind, description: binary.description };
    }
    return { accepted: false, description: binary.description, reason: binary.problem };
  }
  const complete = input.size <= input.head.length;
  const guess = detectSampleEncoding(input.head, complete);
  const text = stripBom(decodeSample(input.head, guess));
  if (!looksLikeText(text)) {
    return { accepted: false, description: 'binary data of an unknown type' };
  }
  return classifyText(input, text, complete, guess.encoding, accepted);
}

async function classifyText(
  input: SniffInput,
  text: string,
  complete: boolean,
  encoding: TextEncoding,
  accepted: readonly FileKind[],
): Promise<Detection> {
  const ok = (kind: FileKind): Detection => ({
    accepted: true,
    kind,
    description: describeKind(kind),
    encoding,
  });
  // Documents with a shape of their own are that kind first; a route that takes plain text
  // takes them as text too.
  const shaped = await shapedTextKind(input, text, complete, encoding, accepted.includes('json'));
  if (shaped) {
    if (accepted.includes(shaped)) return ok(shaped);
    if (accepted.includes('text')) return ok('text');
    return { accepted: false, description: describeKind(shaped) };
  }
  let csvProblem: string | undefined;
  if (accepted.includes('csv')) {
    const dialect = sniffCsvDialect(text, complete);
    const check = checkCsvSample(text, complete, dialect.delimiter);
    if (check.ok) return ok('csv');
    csvProblem = `it does not parse as CSV: ${check.reason}`;
  }
  if (accepted.includes('text')) return ok('text');
  return { accepted: false, description: 'plain text', reason: csvProblem };
}

async function shapedTextKind(
  input: SniffInput,
  text: string,
  complete: boolean,
  encoding: TextEncoding,
  jsonAccepted: boolean,
): Promise<FileKind | undefined> {
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    if (await isJson(input, text, complete, encoding, jsonAccepted)) return 'json';
  }
  if (/^<!doctype\s+html[\s>]/i.test(start) || /^<(html|head|body)[\s>]/i.test(start)) {
    return 'html';
  }
  if (start.startsWith('<') && /<\/?(html|body|div|p|table|span|br|h[1-6])[\s>/]/i.test(start)) {
    return 'html';
  }
  if (/^From \S+.*\r?\n/.test(text) && headerBlockScore(text.slice(text.indexOf('\n') + 1)) >= 2) {
    return 'mbox';
  }
  if (headerBlockScore(text) >= 2) return 'eml';
  return undefined;
}

const MAIL_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'received',
  'mime-version',
  'return-path',
  'content-type',
  'reply-to',
  'in-reply-to',
  'references',
  'delivered-to',
]);

/** How many well-known mail headers open the text (0 unless it starts with a header block). */
function headerBlockScore(text: string): number {
  const lines = text.split(/\r?\n/, 200);
  let known = 0;
  for (const [index, line] of lines.entries()) {
    if (line === '') return index > 0 ? known : 0;
    if (/^[ \t]/.test(line) && index > 0) continue; // folded continuation of the previous header
    const match = /^([!-9;-~]+):/.exec(line);
    if (!match) return 0;
    if (MAIL_HEADERS.has(match[1].toLowerCase())) known++;
  }
  return known;
}

/**
 * Whether the text is JSON. A file longer than the sniffed prefix is parsed whole only where JSON
 * is accepted (and up to 10 MB); elsewhere its shape decides, so a CSV route never reads a large
 * file into memory to refuse it.
 */
async function isJson(
  input: SniffInput,
  text: string,
  complete: boolean,
  encoding: TextEncoding,
  accepted: boolean,
): Promise<boolean> {
  if (complete) return parsesAsJson(text);
  if (!accepted || input.size > JSON_PARSE_LIMIT) return /^\s*[[{]\s*["{[\]}\d-]/.test(text);
  const whole = await readFile(input.path);
  const guess = { encoding, bomLength: 0 };
  return parsesAsJson(stripBom(decodeSample(whole, guess)));
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Text has no NUL and almost no other control characters (tab, CR, LF, FF, ESC are fine). */
function looksLikeText(text: string): boolean {
  if (text.length === 0) return false;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return false;
    if (
      (code < 32 && code !== 9 && code !== 10 && code !== 13 && code !== 12 && code !== 27) ||
      code === 0xfffd
    ) {
      control++;
    }
  }
  return control <= text.length * 0.01;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function describeKind(kind: FileKind): string {
  return FILE_KINDS[kind].noun;
}

function startsWith(head: Buffer, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((byte, i) => head[offset + i] === byte);
}

function ascii(head: Buffer, start: number, end: number): string {
  return head.toString('latin1', start, Math.min(end, head.length));
}

/** Known binary formats by signature, with a structural check for the kinds we accept. */
async function sniffBinary(input: SniffInput): Promise<Finding | undefined> {
  const { head } = input;
  if (ascii(head, 0, 5) === '%PDF-') return checkPdf(input);
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return ascii(head, 12, 16) === 'IHDR'
      ? { kind: 'png', description: describeKind('png') }
      : { kind: 'png', description: describeKind('png'), problem: 'its header chunk is missing' };
  }
  if (startsWith(head, [0xff, 0xd8, 0xff])) {
    const marker = head[3];
    return marker !== undefined && marker >= 0xc0 && marker !== 0xff
      ? { kind: 'jpeg', description: describeKind('jpeg') }
      : {
          kind: 'jpeg',
          description: describeKind('jpeg'),
          problem: 'its first segment is not valid',
        };
  }
  const gif = ascii(head, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') {
    return head.length >= 13
      ? { kind: 'gif', description: describeKind('gif') }
      : { kind: 'gif', description: describeKind('gif'), problem: 'it is truncated' };
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') {
    const chunk = ascii(head, 12, 16);
    const declared = head.length >= 8 ? head.readUInt32LE(4) + 8 : 0;
    if (!['VP8 ', 'VP8L', 'VP8X'].includes(chunk)) {
      return {
        kind: 'webp',
        description: describeKind('webp'),
        problem: 'its image chunk is missing',
      };
    }
    return declared > input.size
      ? { kind: 'webp', description: describeKind('webp'), problem: 'it is truncated' }
      : { kind: 'webp', description: describeKind('webp') };
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return sniffZip(input.path);
  }
  const signature = BINARY_SIGNATURES.find((known) => known.test(head));
  if (signature) return { description: signature.description };
  return undefined;
}

async function checkPdf(input: SniffInput): Promise<Finding> {
  const tailLength = Math.min(input.size, 2048);
  const file = await open(input.path, 'r');
  try {
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, input.size - tailLength);
    return tail.includes('%%EOF')
      ? { kind: 'pdf', description: describeKind('pdf') }
      : {
          kind: 'pdf',
          description: describeKind('pdf'),
          problem: 'it has no end-of-file marker (truncated?)',
        };
  } finally {
    await file.close();
  }
}

async function sniffZip(path: string): Promise<Finding> {
  let zip: ZipDirectory;
  try {
    zip = await ZipDirectory.open(path);
  } catch (error) {
    return { description: 'a damaged ZIP archive', problem: (error as Error).message };
  }
  const hasTypes = zip.has('[Content_Types].xml');
  if (hasTypes && zip.has('xl/workbook.xml'))
    return { kind: 'xlsx', description: describeKind('xlsx') };
  if (hasTypes && zip.has('word/document.xml'))
    return { kind: 'docx', description: describeKind('docx') };
  if (hasTypes && zip.has('ppt/presentation.xml'))
    return { description: 'a PowerPoint (PPTX) presentation' };
  if (zip.has('mimetype') && zip.has('content.xml')) {
    return { description: 'an OpenDocument file (ODS/ODT; save it as XLSX or DOCX)' };
  }
  if (zip.has('META-INF/MANIFEST.MF')) return { description: 'a Java archive (JAR)' };
  return { description: 'a ZIP archive' };
}

const BINARY_SIGNATURES: { description: string; test: (head: Buffer) => boolean }[] = [
  { description: 'an ELF executable', test: (h) => startsWith(h, [0x7f, 0x45, 0x4c, 0x46]) },
  { description: 'a Windows executable (MZ/PE)', test: (h) => ascii(h, 0, 2) === 'MZ' },
  {
    description: 'a Mach-O executable',
    test: (h) =>
      [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xcf, 0xfa, 0xed, 0xfe],
      ].some((magic) => startsWith(h, magic)),
  },
  { description: 'a WebAssembly module', test: (h) => startsWith(h, [0x00, 0x61, 0x73, 0x6d]) },
  {
    description: 'a legacy Office document (XLS/DOC, or a password-protected Office file)',
    test: (h) => startsWith(h, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  },
  { description: 'a gzip archive', test: (h) => startsWith(h, [0x1f, 0x8b]) },
  {
    description: 'a 7-Zip archive',
    test: (h) => startsWith(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
  },
  { description: 'a RAR archive', test: (h) => ascii(h, 0, 4) === 'Rar!' },
  {
    description: 'a bzip2 archive',
    test: (h) => ascii(h, 0, 3) === 'BZh' && h.length > 3 && h[3] >= 0x31 && h[3] <= 0x39,
  },
  { description: 'an SQLite database', test: (h) => ascii(h, 0, 15) === 'SQLite format 3' },
  {
    description: 'a BMP image',
    test: (h) =>
      ascii(h, 0, 2) === 'BM' &&
      h.length >= 26 &&
      h.readUInt32LE(14) >= 12 &&
      h.readUInt32LE(14) <= 124,
  },
  {
    description: 'a TIFF image',
    test: (h) => startsWith(h, [0x49, 0x49, 0x2a, 0x00]) || startsWith(h, [0x4d, 0x4d, 0x00, 0x2a]),
  },
  { description: 'a video or HEIC/AVIF image (ISO media)', test: (h) => ascii(h, 4, 8) === 'ftyp' },
  { description: 'an audio file (MP3)', test: (h) => ascii(h, 0, 3) === 'ID3' },
  {
    description: 'a Mach-O universal binary or compiled Java class',
    test: (h) => startsWith(h, [0xca, 0xfe, 0xba, 0xbe]),
  },
];

/** "this route accepts CSV, XLSX" for 415 messages. */
export function rejectionMessage(
  field: string,
  detection: Extract<Detection, { accepted: false }>,
  accepted: readonly FileKind[],
): string {
  const why = detection.reason ? ` (${detection.reason})` : '';
  return `The file in "${field}" is ${detection.description}${why}; this field accepts ${describeKinds(accepted)}.`;
}
