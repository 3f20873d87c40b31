import { load } from 'cheerio';
import mammoth from 'mammoth';
import { readFile } from 'node:fs/promises';
import { extractText, getDocumentProxy } from 'unpdf';
import type { FileKind } from '../../../core/files/index.js';
import { createChunkDecoder, detectFileEncoding } from '../../../core/files/text-encoding.js';

/** The text of a specification, or why there is none a language model could read. */
export type SpecificationText =
  { readable: true; text: string } | { readable: false; reason: string };

const IMAGE_KINDS: readonly FileKind[] = ['png', 'jpeg', 'gif', 'webp'];

/**
 * Reads a stored specification as text, by the kind the intake detected from its content: PDF
 * (pdf.js through unpdf), DOCX (mammoth), HTML (cheerio, scripts and styles left out), and text,
 * Markdown, CSV and JSON as they are. Images are not text: the gateway has no vision requests,
 * so they are recorded as not readable rather than guessed at.
 */
export async function readSpecificationText(
  path: string,
  kind: FileKind,
): Promise<SpecificationText> {
  if (IMAGE_KINDS.includes(kind))
    return {
      readable: false,
      reason: `The specification is an image (${kind.toUpperCase()}); images are not read, since the configured LLM gateway sends no vision requests. Upload a PDF, DOCX or text version to have the weight extracted.`,
    };
  const data = await readFile(path);
  let text: string;
  switch (kind) {
    case 'pdf':
      text = await pdfText(data);
      break;
    case 'docx':
      text = (await mammoth.extractRawText({ buffer: data })).value;
      break;
    case 'html':
      text = htmlText(await decode(path, data));
      break;
    case 'text':
    case 'csv':
    case 'json':
      text = await decode(path, data);
      break;
    default:
      return { readable: false, reason: `A ${kind} file is not read as a specification.` };
  }
  text = text.replaceAll('\u0000', '').trim();
  if (text === '')
    return {
      readable: false,
      reason:
        kind === 'pdf'
          ? 'The PDF has no text layer (a scan?); no text could be read from it.'
          : 'The specification contains no text.',
    };
  return { readable: true, text };
}

async function pdfText(data: Buffer): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(data));
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    return text.join('\n\n');
  } finally {
    await pdf.destroy();
  }
}

/** Text in the encoding the whole file shows (the intake looked at its first 64 KB only). */
async function decode(path: string, data: Buffer): Promise<string> {
  const guess = await detectFileEncoding(path);
  const decoder = createChunkDecoder(guess.encoding);
  return decoder.write(data.subarray(guess.bomLength)) + decoder.end();
}

function htmlText(html: string): string {
  const $ = load(html);
  $('script, style, noscript, template').remove();
  $('br').replaceWith('\n');
  $('p, div, li, tr, h1, h2, h3, h4, h5, h6, table, section').each((_, el) => {
    $(el).append('\n');
  });
  return $('body').length > 0 ? $('body').text() : $.root().text();
}
