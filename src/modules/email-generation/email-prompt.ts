import type { LlmMessage } from '../../core/llm/llm.types.js';
import { LEAD_FIELDS, type LeadValues } from './lead-columns.js';

/**
 * The seed's prompt, made editable: the system prompt gives the sender's role and the rules
 * (casual, personalised, 50-70 words, no signature); the job's template is the user prompt, with
 * `{{placeholders}}` for lead fields (`{{first_name}}`, `{{company}}`...), any column of the file
 * by its header (`{{Account Name}}`), `{{offer}}` and `{{sender_role}}`. A template line whose
 * placeholders are all empty for a row is left out, so a lead without an industry does not get
 * "Industry: ".
 */
export const DEFAULT_TEMPLATE = `Write a cold email to this lead.
Name: {{first_name}} {{last_name}}
Role: {{title}}
Company: {{company}}
Industry: {{industry}}
Location: {{location}}
Website: {{website}}
Notes: {{notes}}
What I offer: {{offer}}
Casual, conversational tone; personalise it to their role and company; 50-70 words; no subject line; no signature or sign-off; end with a low-pressure question.`;

export const MIN_WORDS = 50;
export const MAX_WORDS = 70;
/** Asked for 50-70; a few words either side is not worth a second call. */
const ACCEPTED_WORDS = { min: MIN_WORDS - 5, max: MAX_WORDS + 10 };

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
const BUILT_IN = ['offer', 'sender_role'];

export function systemPrompt(senderRole: string): string {
  return `You are ${senderRole}. You write personalised cold emails that sound like one person writing to another: casual and friendly, specific to the lead's role and company, ${MIN_WORDS}-${MAX_WORDS} words. Write only the email body: no subject line, no signature, no sign-off name, no placeholders such as [Your Name].`;
}

/** Placeholders of a template that nothing fills. */
export function unknownPlaceholders(template: string, headers: readonly string[]): string[] {
  const known = new Set<string>([...LEAD_FIELDS, ...BUILT_IN, ...headers]);
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER))
    if (!known.has(match[1])) unknown.add(match[1]);
  return [...unknown];
}

export interface RenderContext {
  values: LeadValues;
  headers: readonly string[];
  cells: readonly string[];
  offer: string | null;
  senderRole: string;
}

/** The template with the row's values; lines whose placeholders are all empty are left out. */
export function renderTemplate(template: string, context: RenderContext): string {
  const lookup = (name: string): string => {
    if ((LEAD_FIELDS as readonly string[]).includes(name))
      return context.values[name as keyof LeadValues] ?? '';
    if (name === 'offer') return context.offer ?? '';
    if (name === 'sender_role') return context.senderRole;
    const index = context.headers.indexOf(name);
    return index >= 0 ? (context.cells[index] ?? '').trim() : '';
  };
  return template
    .split('\n')
    .filter((line) => {
      const names = [...line.matchAll(PLACEHOLDER)].map((m) => m[1]);
      return names.length === 0 || names.some((name) => lookup(name) !== '');
    })
    .map((line) =>
      line
        .replace(PLACEHOLDER, (_, name: string) => lookup(name))
        .replace(/[ \t]{2,}/g, ' ')
        .trimEnd(),
    )
    .join('\n')
    .trim();
}

export function emailMessages(template: string, context: RenderContext): LlmMessage[] {
  return [
    { role: 'system', content: systemPrompt(context.senderRole) },
    { role: 'user', content: renderTemplate(template, context) },
  ];
}

export interface EmailCheck {
  ok: boolean;
  words: number;
  problems: string[];
}

const SIGN_OFF =
  /^\s*(best|best regards|kind regards|warm regards|regards|cheers|thanks|thank you|many thanks|sincerely|warmly|talk soon|all the best)\s*[,.!]?\s*$/im;
const LEFTOVER =
  /\{\{[^}]*\}\}|\[(?:[^\]]*\b(?:name|company|title|your|first|link|calendar)\b[^\]]*)\]|<(?:name|company|first[_ ]?name)>/i;

export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

/** The output rules of the seed's prompt, checked: word count, no signature, no placeholder left. */
export function checkEmail(text: string): EmailCheck {
  const problems: string[] = [];
  const words = countWords(text);
  if (words < ACCEPTED_WORDS.min || words > ACCEPTED_WORDS.max)
    problems.push(`${words} words (asked for ${MIN_WORDS}-${MAX_WORDS})`);
  if (SIGN_OFF.test(text)) problems.push('ends with a signature or sign-off');
  const leftover = LEFTOVER.exec(text);
  if (leftover) problems.push(`a placeholder is left: ${leftover[0]}`);
  if (/^\s*subject\s*:/im.test(text)) problems.push('has a subject line');
  return { ok: problems.length === 0, words, problems };
}

/** The follow-up that asks once more, naming what was wrong. */
export function reaskMessage(check: EmailCheck): LlmMessage {
  return {
    role: 'user',
    content: `That email breaks the rules: ${check.problems.join('; ')}. Rewrite it: ${MIN_WORDS}-${MAX_WORDS} words, only the body, no subject line, no signature or sign-off, no placeholders.`,
  };
}

/** What is stored as the check's verdict. */
export function verdictOf(first: EmailCheck, second?: EmailCheck): string {
  if (first.ok) return `ok (${first.words} words)`;
  if (!second) return `failed: ${first.problems.join('; ')}`;
  if (second.ok)
    return `ok after re-ask (${second.words} words; first answer: ${first.problems.join('; ')})`;
  return `failed after re-ask: ${second.problems.join('; ')}`;
}
