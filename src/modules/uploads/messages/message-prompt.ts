import type { EmailLeadFields, LlmRequest } from '../../../core/llm/llm.types.js';
import type { MessageSnippet } from '../entities/upload-website.entity.js';
import type { WebsiteToMessage } from '../upload-websites.repository.js';

export const DEFAULT_TEMPLATE =
  'Write a short first message (60-100 words) to {{company}} about {{offer}}. Open with one ' +
  'specific detail from their website, connect it to what we offer, and end with a low-pressure ' +
  'question. Plain text, no subject line, no signature.';

export const FALLBACK_OFFER = 'automating repetitive work with AI';

/** Placeholders every template may use besides the sheet's own column names. */
const BUILT_IN = ['company', 'website', 'offer'];
const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
const MAX_SNIPPET_CHARS = 300;
const MAX_SNIPPETS_TOTAL = 1400;

function key(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Placeholders in a template that neither a column nor a built-in name fills. */
export function unknownPlaceholders(template: string, headers: readonly string[]): string[] {
  const known = new Set([...BUILT_IN, ...headers].map(key));
  return [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1])
    .filter((name, i, all) => !known.has(key(name)) && all.indexOf(name) === i);
}

export function renderTemplate(template: string, fields: Record<string, string>): string {
  const byKey = new Map(Object.entries(fields).map(([name, value]) => [key(name), value]));
  return template.replace(PLACEHOLDER, (_, name: string) => byKey.get(key(name)) || name);
}

const LEAD_COLUMNS: [keyof Omit<EmailLeadFields, 'extra'>, RegExp][] = [
  ['firstName', /^(first|given|fore)name$|^first$/],
  ['lastName', /^(last|sur|family)name$|^last$/],
  ['fullName', /^(full)?name$|^contact(name|person)?$|^person$/],
  ['company', /^(company|companyname|organi[sz]ation|business|account|accountname|firm|employer)$/],
  ['jobTitle', /^(job)?title$|^role$|^position$|^jobtitle$/],
  ['industry', /^(industry|sector|vertical)$/],
  ['location', /^(city|country|location|region|town|state)$/],
  ['website', /website|^url$|^domain$|homepage/],
];

/** The row's cells as lead fields (recognised columns) plus everything else as `extra`. */
export function leadFields(headers: readonly string[], cells: readonly string[]): EmailLeadFields {
  const lead: EmailLeadFields = { extra: {} };
  headers.forEach((header, i) => {
    const value = (cells[i] ?? '').trim();
    if (!value) return;
    const field = LEAD_COLUMNS.find(([name, pattern]) => !lead[name] && pattern.test(key(header)));
    if (field) lead[field[0]] = value;
    else lead.extra![header] = value.slice(0, 300);
  });
  return lead;
}

/** Usable grounding from a scrape: the description and the first informative paragraphs. */
export function selectSnippets(
  site: Pick<WebsiteToMessage, 'title' | 'description' | 'headings' | 'text'>,
): MessageSnippet[] {
  const snippets: MessageSnippet[] = [];
  let total = 0;
  const add = (source: MessageSnippet['source'], raw: string) => {
    const text = raw.length > MAX_SNIPPET_CHARS ? `${raw.slice(0, MAX_SNIPPET_CHARS - 1)}…` : raw;
    if (total + text.length > MAX_SNIPPETS_TOTAL || snippets.some((s) => s.text === text)) return;
    snippets.push({ source, text });
    total += text.length;
  };
  if (site.description && site.description.split(/\s+/).length >= 5)
    add('description', site.description);
  for (const line of site.text.split('\n')) {
    if (snippets.filter((s) => s.source === 'text').length >= 4) break;
    if (line.split(/\s+/).length >= 8) add('text', line.trim());
  }
  const headings = site.headings.filter((h) => h.level <= 2).slice(0, 3);
  if (snippets.length > 0) for (const heading of headings) add('heading', heading.text);
  return snippets;
}

export interface MessagePlan {
  request: LlmRequest;
  basis: 'website' | 'row-fields';
  note: string | null;
  snippets: MessageSnippet[];
}

/**
 * The request for one website's message. With usable website text it is grounded in numbered
 * excerpts (stored with the message); otherwise it is the fallback prompt from the row's fields
 * only, and the message says so in its note.
 */
export function planMessage(
  site: WebsiteToMessage,
  defaultOffer: string | undefined,
  maxTokens: number,
): MessagePlan {
  const lead = leadFields(site.headers, site.cells);
  const fields: Record<string, string> = {};
  site.headers.forEach((header, i) => {
    if (site.cells[i]?.trim()) fields[header] = site.cells[i].trim();
  });
  const company =
    lead.company ?? site.title?.split(/\s[|\-–—:]\s/)[0]?.trim() ?? site.host.replace(/^www\./, '');
  const offer = site.offer ?? defaultOffer ?? FALLBACK_OFFER;
  const instructions = renderTemplate(site.template, {
    ...fields,
    company,
    website: site.url,
    offer,
  });
  const rowLines = Object.entries(fields)
    .map(([name, value]) => `- ${name}: ${value.slice(0, 300)}`)
    .join('\n');
  const snippets = site.outcome === 'ok' ? selectSnippets(site) : [];
  const ref = {
    kind: 'upload-website',
    id: site.id,
    parent: { kind: 'upload', id: site.uploadId },
  };

  if (snippets.length > 0) {
    const excerpts = snippets.map((s, i) => `[${i + 1}] (${s.source}) ${s.text}`).join('\n');
    return {
      basis: 'website',
      note: null,
      snippets,
      request: {
        task: 'website-message',
        input: {
          website: site.url,
          companyName: company,
          pageTitle: site.title ?? undefined,
          pageText: snippets
            .filter((s) => s.source !== 'heading')
            .map((s) => s.text)
            .join(' '),
          offer,
        },
        messages: [
          {
            role: 'system',
            content:
              'You write personalised B2B outreach messages. Use only facts from the numbered website ' +
              'excerpts and the row fields you are given; never invent names, numbers or claims. ' +
              'If a detail is not in them, leave it out.',
          },
          {
            role: 'user',
            content: `${instructions}\n\nCompany: ${company}\nWebsite: ${site.url}\n\nRow fields:\n${rowLines || '- (none)'}\n\nWebsite excerpts:\n${excerpts}`,
          },
        ],
        maxTokens,
        ownerId: site.ownerId,
        ref,
      },
    };
  }

  const why =
    site.outcome === 'ok'
      ? 'the website had no readable text'
      : `the website could not be read (${site.outcome}${site.outcomeDetail ? `: ${site.outcomeDetail}` : ''})`;
  return {
    basis: 'row-fields',
    note: `Written from the row's fields only: ${why}.`,
    snippets: [],
    request: {
      task: 'email',
      input: { lead: { ...lead, company, website: site.url }, offer },
      messages: [
        {
          role: 'system',
          content:
            "You write personalised B2B outreach messages. Nothing could be read from this company's " +
            'website, so use only the row fields you are given. Do not claim to have visited the ' +
            'website and never invent facts.',
        },
        {
          role: 'user',
          content: `${instructions}\n\nCompany: ${company}\nWebsite: ${site.url} (not readable: ${why})\n\nRow fields:\n${rowLines || '- (none)'}`,
        },
      ],
      maxTokens,
      ownerId: site.ownerId,
      ref,
    },
  };
}
