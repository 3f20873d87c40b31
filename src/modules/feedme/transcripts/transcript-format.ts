/** The shapes of transcript FeedMe reads (seed 003 plus its planned formats). */
export const TRANSCRIPT_FORMATS = [
  'text',
  'html',
  'zendesk',
  'intercom',
  'helpscout',
  'eml',
  'mbox',
  'csv',
] as const;

export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** One message of a conversation, whoever wrote it. */
export interface Turn {
  role: 'customer' | 'agent';
  /** The writer's name when the export has one. */
  name?: string;
  text: string;
}

/** A transcript read into its one normal form: speaker turns, plus what the export carried. */
export interface ReadTranscript {
  format: TranscriptFormat;
  /** "Customer: ..." / "Agent: ..." lines (plain text uploads keep their own lines). */
  transcript: string;
  turnCount: number;
  /** HTML uploads only: the sanitised markup. */
  html: string | null;
  /** Tags the export carried (Zendesk, Intercom, HelpScout). */
  tags: string[];
}

/** A transcript that cannot be read: a 422 naming what is wrong. */
export class TranscriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscriptError';
  }
}

/** Turns in the normal form, one line each (a message's own line breaks become spaces). */
export function renderTurns(turns: readonly Turn[]): string {
  return turns
    .map((turn) => {
      const label = turn.role === 'customer' ? 'Customer' : 'Agent';
      const who = turn.name ? `${label} (${turn.name.replace(/[():\n]/g, ' ').trim()})` : label;
      return `${who}: ${turn.text.replace(/\s+/g, ' ').trim()}`;
    })
    .join('\n');
}
