import * as cheerio from 'cheerio';
import sanitizeHtml from 'sanitize-html';

/**
 * What survives of an uploaded HTML transcript: text formatting and tables, nothing that runs or
 * loads. Scripts, styles, event handlers, iframes, forms, images and every URL scheme but http(s)
 * and mailto are dropped, the text of <script>/<style> included (sanitize-html's nonTextTags).
 */
const SAFE_HTML: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'div',
    'span',
    'b',
    'strong',
    'i',
    'em',
    'u',
    'blockquote',
    'pre',
    'code',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'dl',
    'dt',
    'dd',
    'hr',
    'a',
    'time',
    'small',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    time: ['datetime'],
    td: ['colspan'],
    th: ['colspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Dropped with their text: code, styling, and the page's <title> (not part of the conversation).
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template'],
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
};

/** Sanitises first: nothing else ever sees the uploaded markup. */
export function sanitizeTranscriptHtml(html: string): string {
  return sanitizeHtml(html, SAFE_HTML).trim();
}

const BLOCKS = 'p, div, li, tr, h1, h2, h3, h4, h5, h6, blockquote, pre, dt, dd, hr, table';

/** Readable text of (already sanitised) HTML, one line per block, e.g. one per chat message. */
export function htmlToText(safeHtml: string): string {
  const $ = cheerio.load(safeHtml);
  $('br').replaceWith('\n');
  $(BLOCKS).each((_, element) => {
    $(element).prepend('\n').append('\n');
  });
  $('td, th').append(' ');
  return $.root()
    .text()
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}
