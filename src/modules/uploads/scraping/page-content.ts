import { load } from 'cheerio';
import { socialNetworkOf } from '../extraction/website-url.js';

export interface Heading {
  level: number;
  text: string;
}

export interface SocialLink {
  network: string;
  url: string;
}

/** What one HTML page says, in plain text. */
export interface PageContent {
  title: string | null;
  description: string | null;
  headings: Heading[];
  /** The readable text: paragraphs and list items, one per line, navigation and footers left out. */
  text: string;
  emails: string[];
  socialLinks: SocialLink[];
  /** Same-site pages worth reading next (about, contact, services...), best first. */
  nextPages: string[];
}

const MAX_TEXT_CHARS = 20_000;
const MAX_HEADINGS = 30;
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi;
const NOT_EMAIL = /\.(png|jpe?g|gif|svg|webp|css|js)$/i;
const SHARE = /sharer|share\?|intent\/tweet|shareArticle|\/share\/|pin\/create/i;
/** Pages that tell who a company is and how to reach it, best first. */
const NEXT_PAGE_HINTS = [
  /about|who-?we-?are|ueber-?uns|uber-?uns|a-?propos|company|our-?story/,
  /services|products|solutions|what-?we-?do|leistungen/,
  /contact|kontakt|impressum|imprint/,
  /team|people/,
];
const BLOCKS = 'p, li, h1, h2, h3, h4, h5, h6, blockquote, td, th, dd, dt, figcaption, address';

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function sameSite(a: string, b: string): boolean {
  return a.replace(/^www\./, '') === b.replace(/^www\./, '');
}

/** Reads a page with cheerio (no scripts run, nothing fetched). */
export function extractPageContent(html: string, pageUrl: string): PageContent {
  const $ = load(html);
  const base = new URL(pageUrl);

  const title =
    clean($('title').first().text()) ||
    clean($('meta[property="og:title"]').attr('content') ?? '') ||
    null;
  const description =
    clean(
      $('meta[name="description"]').attr('content') ??
        $('meta[property="og:description"]').attr('content') ??
        '',
    ) || null;

  const headings: Heading[] = [];
  $('h1, h2, h3').each((_, el) => {
    const text = clean($(el).text());
    if (text && headings.length < MAX_HEADINGS && !headings.some((h) => h.text === text))
      headings.push({ level: Number(el.tagName.slice(1)), text: text.slice(0, 200) });
  });

  // Emails and social links often sit in the footer: look at the whole document for them.
  const emails = new Set<string>();
  const socialLinks: SocialLink[] = [];
  const links: string[] = [];
  $('a[href]').each((_, el) => {
    const href = ($(el).attr('href') ?? '').trim();
    if (/^mailto:/i.test(href)) {
      const address = decodeURIComponent(href.slice(7).split('?')[0]).trim().toLowerCase();
      if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(address)) emails.add(address);
      return;
    }
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    const network = socialNetworkOf(url.hostname);
    if (network) {
      if (SHARE.test(url.toString())) return;
      url.search = '';
      url.hash = '';
      const clean = url.toString();
      if (socialLinks.length < 10 && !socialLinks.some((link) => link.url === clean))
        socialLinks.push({ network, url: clean });
      return;
    }
    if (sameSite(url.hostname, base.hostname)) {
      url.hash = '';
      links.push(url.toString());
    }
  });
  for (const match of $.root().text().matchAll(EMAIL)) {
    const address = match[0].toLowerCase();
    if (!NOT_EMAIL.test(address) && emails.size < 20) emails.add(address);
  }

  $(
    'script, style, noscript, template, svg, iframe, nav, footer, header, aside, form, button',
  ).remove();
  const root = $('main, article, [role="main"]').first();
  const scope = root.length > 0 ? root : $('body');
  const lines: string[] = [];
  let length = 0;
  scope.find(BLOCKS).each((_, el) => {
    // A block inside another block is read with its parent.
    if ($(el).parents(BLOCKS).length > 0) return;
    const text = clean($(el).text());
    if (text.length < 2 || lines[lines.length - 1] === text) return;
    if (length + text.length > MAX_TEXT_CHARS) return false;
    lines.push(text);
    length += text.length + 1;
  });
  if (lines.length === 0) {
    const text = clean(scope.text()).slice(0, MAX_TEXT_CHARS);
    if (text) lines.push(text);
  }

  const home = new URL('/', base).toString();
  const nextPages: string[] = [];
  for (const hint of NEXT_PAGE_HINTS) {
    for (const link of links) {
      const path = new URL(link).pathname.toLowerCase();
      if (link === home || link === pageUrl || nextPages.includes(link)) continue;
      if (/\.(pdf|jpe?g|png|gif|zip|docx?|xlsx?)$/.test(path)) continue;
      if (hint.test(path)) nextPages.push(link);
    }
  }

  return {
    title: title?.slice(0, 300) ?? null,
    description: description?.slice(0, 1000) ?? null,
    headings,
    text: lines.join('\n'),
    emails: [...emails],
    socialLinks,
    nextPages,
  };
}
