import { parse } from 'tldts';

/** A web address after normalisation, ready to scrape and to compare. */
export interface NormalisedWebsite {
  /** https://example.com/path, lower-case punycode host, no tracking parameters, no fragment. */
  url: string;
  host: string;
  /** Same company, same key: the host without `www.`, the path and the remaining query. */
  dedupeKey: string;
}

export type WebsiteParse = { ok: true; website: NormalisedWebsite } | { ok: false; reason: string };

/** Query parameters that only track a click; they change nothing on the page. */
const TRACKING_PARAMS = new Set([
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'fbclid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  '_hsenc',
  '_hsmi',
  '__hssc',
  '__hstc',
  '__hsfp',
  'hsctatracking',
  'mkt_tok',
  'vero_conv',
  'vero_id',
  'oly_anon_id',
  'oly_enc_id',
  'rb_clickid',
  's_cid',
  'wickedid',
  'ref',
  'ref_src',
  'trk',
]);

const TRACKING_PREFIXES = ['utm_', 'hsa_', 'pk_', 'mtm_', 'matomo_'];

/** Social networks and link hubs: a profile there is not the company's own website. */
const SOCIAL_HOSTS = new Map<string, string>([
  ['facebook.com', 'facebook'],
  ['fb.com', 'facebook'],
  ['instagram.com', 'instagram'],
  ['linkedin.com', 'linkedin'],
  ['twitter.com', 'twitter'],
  ['x.com', 'twitter'],
  ['youtube.com', 'youtube'],
  ['youtu.be', 'youtube'],
  ['tiktok.com', 'tiktok'],
  ['pinterest.com', 'pinterest'],
  ['xing.com', 'xing'],
  ['github.com', 'github'],
  ['threads.net', 'threads'],
  ['medium.com', 'medium'],
  ['linktr.ee', 'linktree'],
]);

/** The social network a host belongs to (`www.linkedin.com` -> linkedin), if any. */
export function socialNetworkOf(host: string): string | undefined {
  const domain = parse(host).domain ?? host;
  return SOCIAL_HOSTS.get(domain);
}

const MAX_URL_LENGTH = 2048;

function isTracking(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * Normalises what a spreadsheet cell says a website is. `https://` is assumed when no scheme is
 * given; then the host must end in a real public suffix (so "N/A", "v1.2" or "report.pdf" are
 * not websites). With an explicit http(s) scheme any host is taken as written: whether it may be
 * fetched is the scraper's decision (private addresses, DNS).
 */
export function normaliseWebsite(raw: string): WebsiteParse {
  let value = raw
    .trim()
    .replace(/^[<("'\s]+|[>)"'\s,;.]+$/g, '')
    .trim();
  if (value === '') return { ok: false, reason: 'empty' };
  if (value.length > MAX_URL_LENGTH)
    return { ok: false, reason: `longer than ${MAX_URL_LENGTH} characters` };
  if (/\s/.test(value)) return { ok: false, reason: `"${clip(value)}" is not a web address` };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  const explicit = scheme === 'http' || scheme === 'https';
  if (scheme && !explicit && value.includes('://'))
    return { ok: false, reason: `"${clip(value)}" uses ${scheme}:, not http or https` };
  if (scheme === 'mailto') return { ok: false, reason: `"${clip(value)}" is an email link` };
  if (!explicit) value = `https://${value.replace(/^\/\//, '')}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: `"${clip(raw.trim())}" is not a web address` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, reason: `"${clip(raw.trim())}" is not an http(s) address` };
  if (url.username || url.password)
    return { ok: false, reason: `"${clip(raw.trim())}" contains a user name or password` };
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (host === '') return { ok: false, reason: `"${clip(raw.trim())}" has no host name` };
  if (!explicit && !host.includes('.'))
    return { ok: false, reason: `"${clip(raw.trim())}" is not a web address` };
  const parsed = parse(host);
  if (!explicit && !parsed.isIp && !parsed.isIcann)
    return {
      ok: false,
      reason: `"${clip(raw.trim())}" does not end in a known domain suffix`,
    };
  url.hostname = host;
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) {
    if (isTracking(name)) url.searchParams.delete(name);
  }
  url.search = url.searchParams.toString() ? `?${url.searchParams.toString()}` : '';
  const path = url.pathname.replace(/\/+$/, '');
  return {
    ok: true,
    website: {
      url: url.toString(),
      host,
      dedupeKey: `${host.replace(/^www\./, '')}${url.port ? `:${url.port}` : ''}${path}${url.search}`,
    },
  };
}

const EMAIL = /[a-z0-9._%+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)/i;

/** The first email address in a text, if any. */
export function findEmail(text: string): { email: string; domain: string } | undefined {
  const match = EMAIL.exec(text);
  if (!match) return undefined;
  return { email: match[0].toLowerCase(), domain: match[1].toLowerCase() };
}

/** Explicit addresses (http://..., www....) anywhere in a text, or a cell that is a bare domain. */
export function findUrlCandidates(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 4000) return [];
  const found = [...trimmed.matchAll(/\b(?:https?:\/\/|www\.)[^\s<>"'()]+/gi)].map((m) => m[0]);
  if (found.length > 0) return found;
  // A whole cell like "acme.com" or "acme.co.uk/about": taken only if the suffix is real.
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+(\/\S*)?$/i.test(trimmed) && !trimmed.includes('@'))
    return [trimmed];
  return [];
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
