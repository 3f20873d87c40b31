import { htmlToText, sanitizeTranscriptHtml } from './html-transcript.js';
import { TranscriptError, type Turn } from './transcript-format.js';

interface MailMessage {
  from: string;
  /** The address in From, lower-cased ('' when there is none). */
  address: string;
  body: string;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Splits a header block from its body; header lines folded onto the next line are joined. */
function splitPart(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(header: string | undefined, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

function decodeBytes(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const charset = param(part.headers.get('content-type'), 'charset');
  if (encoding === 'base64')
    return decodeBytes(Buffer.from(part.body.replace(/\s+/g, ''), 'base64'), charset);
  if (encoding === 'quoted-printable') {
    const unfolded = part.body.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < unfolded.length; i++) {
      const hex = unfolded.slice(i + 1, i + 3);
      if (unfolded[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(unfolded[i], 'utf8'));
      }
    }
    return decodeBytes(Buffer.from(bytes), charset);
  }
  return part.body;
}

/** Encoded words in headers (=?utf-8?Q?...?= / =?utf-8?B?...?=). */
function decodeHeader(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g,
    (_, charset: string, kind: string, text: string) => {
      if (kind.toUpperCase() === 'B') return decodeBytes(Buffer.from(text, 'base64'), charset);
      const bytes = text
        .replace(/_/g, ' ')
        .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return decodeBytes(Buffer.from(bytes, 'latin1'), charset);
    },
  );
}

/** The readable text of a message: its text/plain part, else its HTML part sanitised. */
function bodyOf(part: Part, depth = 0): string {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = param(part.headers.get('content-type'), 'boundary');
    if (!boundary) return '';
    const pieces = part.body
      .split(new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?\\s*$`, 'm'))
      .slice(1)
      .map((piece) => splitPart(piece.replace(/^\n/, '')))
      .filter((piece) => piece.headers.size > 0);
    const plain = pieces.find((p) =>
      (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'),
    );
    const chosen =
      plain ??
      pieces.find((p) => /^(text\/html|multipart\/)/i.test(p.headers.get('content-type') ?? ''));
    return chosen ? bodyOf(chosen, depth + 1) : '';
  }
  const text = decodeBody(part);
  if (type.startsWith('text/html')) return htmlToText(sanitizeTranscriptHtml(text));
  return text;
}

const ATTRIBUTION =
  /^\s*(?:On\s.{0,200}?,?\s*(.+?)\s*(?:<([^>]+)>)?\s*wrote:|(.+?)\s*(?:<([^>]+)>)?\s+(?:schrieb|a écrit|escribió)\s*:?)\s*$/i;
const OUTLOOK = /^\s*(?:-{2,}\s*Original Message\s*-{2,}|_{5,})\s*$/i;

/**
 * The fresh text of a body (what this message added) and, if it quotes an earlier message, that
 * message: "On <date>, Anna <anna@x> wrote:" followed by "> " lines. Signatures ("-- ") are cut.
 */
function splitQuote(body: string): {
  fresh: string;
  quoted?: { from: string; address: string; body: string };
} {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  const fresh: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^-- ?$/.test(line)) break;
    const attribution = ATTRIBUTION.exec(line);
    const startsQuote = /^\s*>/.test(line);
    if (attribution || startsQuote || OUTLOOK.test(line)) {
      let from = '';
      let address = '';
      if (attribution) {
        from = (attribution[1] ?? attribution[3] ?? '')
          .replace(/^.*\d{1,2}:\d{2}(?:\s*[AP]M)?,?\s*/i, '')
          .trim();
        address = (attribution[2] ?? attribution[4] ?? '').toLowerCase();
      }
      let rest = lines.slice(attribution || OUTLOOK.test(line) ? i + 1 : i);
      if (OUTLOOK.test(line)) {
        // Outlook: a From:/Sent:/To:/Subject: block, then the earlier message unquoted.
        const part = splitPart(rest.join('\n').replace(/^\s*\n/, ''));
        const sender = part.headers.get('from') ?? '';
        return {
          fresh: fresh.join('\n').trim(),
          quoted: {
            from: sender.replace(/<[^>]*>/, '').trim(),
            address:
              /<([^>]+)>/.exec(sender)?.[1]?.toLowerCase() ??
              (sender.includes('@') ? sender.toLowerCase() : ''),
            body: part.body,
          },
        };
      }
      rest = rest.filter((l, j) => j > 0 || l.trim() !== '');
      const quotedLines: string[] = [];
      for (const l of rest) {
        if (/^\s*>/.test(l)) quotedLines.push(l.replace(/^\s*> ?/, ''));
        else if (l.trim() === '' && quotedLines.length > 0) quotedLines.push('');
        else if (quotedLines.length > 0) break;
      }
      return {
        fresh: fresh.join('\n').trim(),
        quoted:
          quotedLines.length > 0 ? { from, address, body: quotedLines.join('\n') } : undefined,
      };
    }
    fresh.push(line);
  }
  return { fresh: fresh.join('\n').trim() };
}

function parseMessage(raw: string): MailMessage {
  const part = splitPart(raw);
  const from = decodeHeader(part.headers.get('from') ?? '');
  const address = (/<([^>]+)>/.exec(from)?.[1] ?? (from.includes('@') ? from : ''))
    .trim()
    .toLowerCase();
  return {
    from:
      from
        .replace(/<[^>]*>/, '')
        .replace(/"/g, '')
        .trim() || address,
    address,
    body: bodyOf(part),
  };
}

/** Messages oldest first, as speaker turns: the first writer is the customer. */
function toTurns(messages: MailMessage[]): Turn[] {
  const first = messages.find((m) => m.body.trim());
  if (!first) return [];
  const same = (m: MailMessage) =>
    first.address && m.address
      ? m.address === first.address
      : m.from.toLowerCase() === first.from.toLowerCase();
  return messages
    .filter((m) => m.body.trim())
    .map((m) => ({
      role: same(m) ? 'customer' : 'agent',
      name: m.from || undefined,
      text: m.body.replace(/\s+/g, ' ').trim(),
    }));
}

/**
 * One .eml: the message's own text is the last turn; the replies it quotes ("On ..., X wrote:"
 * and "> " lines, or Outlook's "Original Message" block) are unfolded into the earlier turns, so
 * each text appears once.
 */
export function readEmlTranscript(raw: string): Turn[] {
  const message = parseMessage(raw);
  const chain: MailMessage[] = [];
  let current: MailMessage | undefined = message;
  for (let depth = 0; current && depth < 50; depth++) {
    const { fresh, quoted } = splitQuote(current.body);
    chain.unshift({ ...current, body: fresh });
    current = quoted
      ? { from: quoted.from, address: quoted.address, body: quoted.body }
      : undefined;
  }
  const turns = toTurns(chain);
  if (turns.length === 0) throw new TranscriptError('The email has no readable text.');
  return turns;
}

/**
 * An mbox: messages in file order, each reduced to what it added (quoted replies and signatures
 * stripped, since they repeat earlier messages).
 */
export function readMboxTranscript(raw: string): Turn[] {
  const messages = raw
    .replace(/\r\n/g, '\n')
    .split(/^From .*$/m)
    .map((chunk) => chunk.replace(/^\n/, ''))
    .filter((chunk) => chunk.trim())
    .map((chunk) => {
      const message = parseMessage(chunk.replace(/^>(>*From )/gm, '$1'));
      return { ...message, body: splitQuote(message.body).fresh };
    });
  const turns = toTurns(messages);
  if (turns.length === 0) throw new TranscriptError('The mailbox has no readable messages.');
  return turns;
}
