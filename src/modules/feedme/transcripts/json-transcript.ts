import { htmlToText, sanitizeTranscriptHtml } from './html-transcript.js';
import { TranscriptError, type Turn, type TranscriptFormat } from './transcript-format.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/** Export bodies are often HTML: sanitised, then read as text. */
function bodyText(value: unknown): string {
  const text = asString(value) ?? '';
  return /<[a-z][\s\S]*>/i.test(text) ? htmlToText(sanitizeTranscriptHtml(text)) : text.trim();
}

export interface JsonTranscript {
  format: Extract<TranscriptFormat, 'zendesk' | 'intercom' | 'helpscout'>;
  turns: Turn[];
  tags: string[];
}

/**
 * Zendesk ticket exports (`ticket` + `comments` + `users`), Intercom conversations
 * (`source` + `conversation_parts`) and HelpScout conversations (`threads` or
 * `_embedded.threads`). Internal notes are left out: they are not part of what the customer saw.
 */
export function readJsonTranscript(text: string): JsonTranscript {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TranscriptError(`The JSON export does not parse: ${(error as Error).message}`);
  }
  if (Array.isArray(data) && data.length === 1) data = data[0];
  if (isObject(data)) {
    if (Array.isArray(data.comments) || isObject(data.ticket)) return readZendesk(data);
    if (isObject(data.conversation_parts) || data.type === 'conversation')
      return readIntercom(data);
    if (Array.isArray(data.threads) || (isObject(data._embedded) && data._embedded.threads))
      return readHelpScout(data);
  }
  throw new TranscriptError(
    'The JSON export is not one FeedMe reads: expected a Zendesk ticket export ("ticket" and "comments"), an Intercom conversation ("conversation_parts") or a HelpScout conversation ("threads").',
  );
}

function readZendesk(data: Json): JsonTranscript {
  const ticket = isObject(data.ticket) ? data.ticket : {};
  const users = new Map<string, Json>();
  for (const user of asArray(data.users)) {
    if (isObject(user) && asString(user.id)) users.set(asString(user.id)!, user);
  }
  const requester = asString(ticket.requester_id);
  const comments = asArray(data.comments ?? ticket.comments).filter(isObject);
  const firstAuthor = asString(comments[0]?.author_id);
  const turns: Turn[] = [];
  for (const comment of comments) {
    if (comment.public === false) continue;
    const author = asString(comment.author_id);
    const user = author ? users.get(author) : undefined;
    const role = asString(user?.role);
    const isCustomer = role ? role === 'end-user' : author === (requester ?? firstAuthor);
    const text = bodyText(comment.plain_body ?? comment.body ?? comment.html_body);
    if (text)
      turns.push({ role: isCustomer ? 'customer' : 'agent', name: asString(user?.name), text });
  }
  return {
    format: 'zendesk',
    turns,
    tags: asArray(ticket.tags)
      .map(asString)
      .filter((t): t is string => !!t),
  };
}

function readIntercom(data: Json): JsonTranscript {
  const turns: Turn[] = [];
  const add = (part: Json) => {
    const author = isObject(part.author) ? part.author : {};
    const type = asString(author.type) ?? '';
    const text = bodyText(part.body);
    if (!text) return;
    const customer = ['user', 'lead', 'contact'].includes(type);
    turns.push({ role: customer ? 'customer' : 'agent', name: asString(author.name), text });
  };
  if (isObject(data.source)) add(data.source);
  const container = isObject(data.conversation_parts) ? data.conversation_parts : {};
  for (const part of asArray(container.conversation_parts).filter(isObject)) {
    if (part.part_type === 'note' || part.part_type === 'note_and_reopen') continue;
    add(part);
  }
  const tags = isObject(data.tags) ? asArray(data.tags.tags) : asArray(data.tags);
  return {
    format: 'intercom',
    turns,
    tags: tags
      .map((tag) => (isObject(tag) ? asString(tag.name) : asString(tag)))
      .filter((t): t is string => !!t),
  };
}

function readHelpScout(data: Json): JsonTranscript {
  const embedded = isObject(data._embedded) ? data._embedded : {};
  let threads = asArray(data.threads ?? embedded.threads).filter(isObject);
  // The HelpScout API lists threads newest first.
  if (threads.every((t) => asString(t.createdAt)))
    threads = [...threads].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  const turns: Turn[] = [];
  for (const thread of threads) {
    const type = asString(thread.type);
    if (type !== 'customer' && type !== 'message' && type !== 'chat' && type !== 'reply') continue;
    const by = isObject(thread.createdBy) ? thread.createdBy : {};
    const name = [asString(by.first), asString(by.last)].filter(Boolean).join(' ') || undefined;
    const customer = type === 'customer' || by.type === 'customer';
    const text = bodyText(thread.body);
    if (text) turns.push({ role: customer ? 'customer' : 'agent', name, text });
  }
  return {
    format: 'helpscout',
    turns,
    tags: asArray(data.tags)
      .map((tag) => (isObject(tag) ? asString(tag.tag ?? tag.name) : asString(tag)))
      .filter((t): t is string => !!t),
  };
}
