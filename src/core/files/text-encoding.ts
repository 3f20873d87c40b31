import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface EncodingGuess {
  encoding: TextEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
}

/** Decodes a byte stream chunk by chunk; characters split across chunks are carried over. */
export interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** The encoding a BOM announces, if the bytes start with one. */
export function encodingFromBom(head: Buffer): EncodingGuess | undefined {
  if (head.length >= 3 && UTF8_BOM.every((byte, i) => head[i] === byte)) {
    return { encoding: 'utf-8', bomLength: 3 };
  }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) {
    return { encoding: 'utf-16le', bomLength: 2 };
  }
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) {
    return { encoding: 'utf-16be', bomLength: 2 };
  }
  return undefined;
}

/**
 * UTF-16 without a BOM: text that is mostly ASCII has a zero in every other byte (the high byte),
 * at odd offsets for little-endian and even offsets for big-endian.
 */
export function utf16FromZeros(head: Buffer): TextEncoding | undefined {
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  if (pairs < 2) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) evenZeros++;
    if (head[i + 1] === 0) oddZeros++;
  }
  if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/**
 * Guesses the encoding of a whole file: a BOM wins; then UTF-16 by its zero bytes; then UTF-8 if
 * every byte of the file is valid UTF-8 (checked over the whole file, not a prefix, so a
 * Windows-1252 "é" on the last line is not decoded as garbage); otherwise Windows-1252, what
 * Excel on Western Windows writes for "CSV".
 */
export async function detectFileEncoding(path: string): Promise<EncodingGuess> {
  const head = await readHead(path, 4096);
  const fromBom = encodingFromBom(head);
  if (fromBom) return fromBom;
  const utf16 = utf16FromZeros(head);
  if (utf16) return { encoding: utf16, bomLength: 0 };
  return { encoding: (await isUtf8File(path)) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** The same guess from a prefix only (type sniffing of an upload's first bytes). */
export function detectSampleEncoding(sample: Buffer, complete: boolean): EncodingGuess {
  const fromBom = encodingFromBom(sample);
  if (fromBom) return fromBom;
  const utf16 = utf16FromZeros(sample);
  if (utf16) return { encoding: utf16, bomLength: 0 };
  const checked = complete ? sample : sample.subarray(0, utf8SafeEnd(sample));
  return { encoding: isUtf8(checked) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

export function createChunkDecoder(encoding: TextEncoding): ChunkDecoder {
  if (encoding === 'utf-8') {
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    return {
      write: (chunk) => decoder.decode(chunk, { stream: true }),
      end: () => decoder.decode(),
    };
  }
  const decoder = iconv.getDecoder(ICONV_NAMES[encoding], { stripBOM: false });
  return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
}

export function decodeSample(sample: Buffer, guess: EncodingGuess): string {
  const decoder = createChunkDecoder(guess.encoding);
  // A sample cut mid-character ends in a partial character, which `write` holds back.
  return decoder.write(sample.subarray(guess.bomLength));
}

const ICONV_NAMES: Record<Exclude<TextEncoding, 'utf-8'>, string> = {
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
  'windows-1252': 'win1252',
};

async function readHead(path: string, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) {
    chunks.push(chunk as Buffer);
    total += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks, total);
}

async function isUtf8File(path: string): Promise<boolean> {
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const end = utf8SafeEnd(bytes);
    if (!isUtf8(bytes.subarray(0, end))) return false;
    carry = Buffer.from(bytes.subarray(end));
  }
  return carry.length === 0;
}

/** Where the last complete UTF-8 character ends (a multi-byte one may be cut at a chunk's end). */
function utf8SafeEnd(bytes: Buffer): number {
  const length = bytes.length;
  for (let back = 1; back <= Math.min(3, length); back++) {
    const byte = bytes[length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? length - back : length;
  }
  return length;
}
