import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { SpreadsheetService, type StoredUpload } from '../../../core/files/index.js';
import { readEmlTranscript, readMboxTranscript } from './email-transcript.js';
import { htmlToText, sanitizeTranscriptHtml } from './html-transcript.js';
import { readJsonTranscript } from './json-transcript.js';
import {
  renderTurns,
  TranscriptError,
  type ReadTranscript,
  type Turn,
} from './transcript-format.js';

/** "Anna (Customer): ...", "[10:02] Agent: ...", "Q: ..." — a line that opens a speaker turn. */
const SPEAKER_LINE =
  /^\s*(?:\[[^\]]{1,25}\]\s*|\(?\d{1,2}:\d{2}(?::\d{2})?\)?\s*(?:[AP]M)?\s*[-–]?\s*)?\**[\p{L}][\p{L}\p{N} .'’_-]{0,40}?(?:\s*\([^)]{1,30}\))?\**\s*[:：]\s*\S/u;

const SPEAKER_COLUMNS = ['role', 'speaker', 'author', 'from', 'sender', 'who', 'user'];
const TEXT_COLUMNS = ['message', 'text', 'body', 'content', 'comment'];
const CUSTOMER = /^(customer|client|user|end-user|visitor|requester|contact|lead|buyer|guest)$/i;

/**
 * Reads an upload into the one normal form the pipeline works on (speaker turns), by the kind the
 * intake decided from the content. HTML is sanitised before anything else reads it.
 */
@Injectable()
export class TranscriptReader {
  constructor(private readonly spreadsheets: SpreadsheetService) {}

  async read(upload: StoredUpload): Promise<ReadTranscript> {
    if (upload.kind === 'csv') {
      // A chat log with commas in it also parses as CSV: it is a CSV transcript only when it has
      // a speaker and a message column.
      const turns = await this.csvTurns(upload);
      if (turns) return this.fromTurns('csv', turns, []);
    }
    const bytes = await readFile(upload.path);
    const text = new TextDecoder(upload.encoding ?? 'utf-8').decode(bytes).replace(/^\uFEFF/, '');
    return readTranscriptText(upload.kind === 'csv' ? 'text' : upload.kind, text);
  }

  private async csvTurns(upload: StoredUpload): Promise<Turn[] | null> {
    const sheet = await this.spreadsheets.open(upload);
    const turns: Turn[] = [];
    try {
      const lower = sheet.headers.map((h) => h.toLowerCase().trim());
      const speaker = sheet.headers[lower.findIndex((h) => SPEAKER_COLUMNS.includes(h))];
      const body = sheet.headers[lower.findIndex((h) => TEXT_COLUMNS.includes(h))];
      if (!speaker || !body) return null;
      let first: string | undefined;
      for await (const row of sheet) {
        const who = (row.values[speaker] ?? '').trim();
        const text = (row.values[body] ?? '').trim();
        if (!who || !text) continue;
        first ??= who;
        const customer =
          CUSTOMER.test(who) || (!/agent|support|admin|staff/i.test(who) && who === first);
        turns.push({
          role: customer ? 'customer' : 'agent',
          name: CUSTOMER.test(who) ? undefined : who,
          text,
        });
      }
    } finally {
      await sheet.close();
    }
    return turns;
  }

  private fromTurns(
    format: ReadTranscript['format'],
    turns: Turn[],
    tags: string[],
  ): ReadTranscript {
    return checked({
      format,
      transcript: renderTurns(turns),
      turnCount: turns.length,
      html: null,
      tags,
    });
  }
}

/** The text kinds (everything but CSV), for the reader and for unit tests. */
export function readTranscriptText(kind: string, text: string): ReadTranscript {
  switch (kind) {
    case 'html': {
      const html = sanitizeTranscriptHtml(text);
      const plain = htmlToText(html);
      return checked({
        format: 'html',
        transcript: plain,
        turnCount: countTurns(plain),
        html,
        tags: [],
      });
    }
    case 'json': {
      const read = readJsonTranscript(text);
      return checked({
        format: read.format,
        transcript: renderTurns(read.turns),
        turnCount: read.turns.length,
        html: null,
        tags: read.tags,
      });
    }
    case 'eml': {
      const turns = readEmlTranscript(text);
      return checked({
        format: 'eml',
        transcript: renderTurns(turns),
        turnCount: turns.length,
        html: null,
        tags: [],
      });
    }
    case 'mbox': {
      const turns = readMboxTranscript(text);
      return checked({
        format: 'mbox',
        transcript: renderTurns(turns),
        turnCount: turns.length,
        html: null,
        tags: [],
      });
    }
    default: {
      const plain = text.replace(/\r\n?/g, '\n').replaceAll('\u0000', '').trim();
      return checked({
        format: 'text',
        transcript: plain,
        turnCount: countTurns(plain),
        html: null,
        tags: [],
      });
    }
  }
}

function countTurns(text: string): number {
  return text.split('\n').filter((line) => SPEAKER_LINE.test(line)).length;
}

function checked(read: ReadTranscript): ReadTranscript {
  if (!read.transcript.trim())
    throw new TranscriptError(`The ${read.format} transcript has no text.`);
  if (read.turnCount < 2)
    throw new TranscriptError(
      `The ${read.format} transcript has ${read.turnCount === 0 ? 'no speaker turns' : 'one speaker turn'}: FeedMe needs a conversation, e.g. lines like "Customer: ..." and "Agent: ...".`,
    );
  return {
    ...read,
    tags: [...new Set(read.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))],
  };
}
