import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local web of small company sites for the scraper, told apart by Host header (point
 * SCRAPE_RESOLVE at it: `*.test=127.0.0.1`). Besides the named sites below, any host serves a
 * generated three-page company site, so benches can ask for thousands.
 *
 * | host            | what it does                                                     | outcome           |
 * | --------------- | ---------------------------------------------------------------- | ----------------- |
 * | bakery.test     | home, about and contact pages, emails, social links, robots.txt  | ok                |
 * | www.moved.test  | moved.test redirects (301) here                                  | ok                |
 * | robots.test     | robots.txt: Disallow: /                                          | blocked_by_robots |
 * | slow.test       | answers after `slowMs`                                           | timeout           |
 * | missing.test    | 404                                                              | http_error        |
 * | loop.test       | / -> /a -> / ...                                                 | http_error        |
 * | huge.test       | 5 MB page, chunked                                               | too_large         |
 * | pdf.test        | application/pdf                                                  | not_html          |
 * | empty.test      | an HTML page with no text                                        | ok (no content)   |
 */
export interface SitesServerOptions {
  /** Delay of every page (not robots.txt) of generated sites, for benches. */
  pageDelayMs?: number;
  slowMs?: number;
}

export interface SiteRequest {
  host: string;
  path: string;
  at: number;
}

export interface SitesServer {
  port: number;
  /** http://<host>:<port><path> */
  url(host: string, path?: string): string;
  requests: SiteRequest[];
  /** Requests to a host (optionally one path), robots.txt included unless a path is given. */
  count(host: string, path?: string): number;
  close(): Promise<void>;
}

const BAKERY_HOME = `<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Hansen Bakery | Sourdough bread baked in Aarhus since 1952</title>
<meta name="description" content="Family bakery in Aarhus baking organic sourdough bread, cakes and pastries every morning.">
</head><body>
<header><nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/contact">Contact</a> <a href="/private/admin">Staff</a></nav></header>
<main>
<h1>Sourdough bread, baked every morning</h1>
<p>Hansen Bakery is a family bakery in the heart of Aarhus. We bake organic sourdough bread, rye bread and cakes from scratch every morning, using flour from local Danish mills.</p>
<h2>Catering for offices</h2>
<p>We deliver fresh bread and pastries to more than 40 offices in Aarhus every weekday before 8 am.</p>
<ul><li>Organic sourdough and rye</li><li>Birthday cakes to order</li></ul>
</main>
<footer>Write to us: <a href="mailto:hello@hansen-bakery.test">hello@hansen-bakery.test</a>
<a href="https://www.facebook.com/hansenbakery">Facebook</a>
<a href="https://instagram.com/hansen.bakery/">Instagram</a>
<a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a></footer>
</body></html>`;

const BAKERY_ABOUT = `<!doctype html><html><head><title>About us | Hansen Bakery</title></head><body>
<main><h1>Three generations of bakers</h1>
<p>Grandfather Erik Hansen opened the bakery on Frederiksgade in 1952. Today his granddaughter Mette runs it with a team of twelve bakers.</p>
<p>We switched to 100% organic flour in 2015 and now bake about 2,000 loaves a week.</p></main></body></html>`;

const BAKERY_CONTACT = `<!doctype html><html><head><title>Contact | Hansen Bakery</title></head><body>
<main><h1>Contact</h1><p>Orders and catering: orders@hansen-bakery.test or call +45 86 12 34 56.</p>
<address>Frederiksgade 10, 8000 Aarhus C</address>
<p><a href="https://www.linkedin.com/company/hansen-bakery">LinkedIn</a></p></main></body></html>`;

function generatedSite(host: string, path: string): string | null {
  const name = host
    .split('.')[0]
    .replace(/-/g, ' ')
    .replace(/\b\w/g, (c) => c.toUpperCase());
  if (path === '/')
    return `<!doctype html><html><head><title>${name} | Industrial automation</title>
<meta name="description" content="${name} builds conveyor and packaging lines for food producers."></head>
<body><nav><a href="/about">About</a> <a href="/contact">Contact</a></nav>
<main><h1>${name}: packaging lines that run</h1>
<p>${name} designs and installs conveyor and packaging lines for mid-sized food producers across Europe.</p>
<p>Our service team keeps more than 300 lines running, with spare parts shipped within 24 hours.</p></main>
<footer>info@${host}</footer></body></html>`;
  if (path === '/about')
    return `<!doctype html><html><head><title>About ${name}</title></head><body><main>
<h1>About ${name}</h1><p>Founded in 1998, ${name} employs 85 engineers and technicians in two workshops.</p></main></body></html>`;
  if (path === '/contact')
    return `<!doctype html><html><head><title>Contact ${name}</title></head><body><main>
<h1>Contact</h1><p>Sales: sales@${host}</p><a href="https://www.linkedin.com/company/${host.split('.')[0]}">LinkedIn</a></main></body></html>`;
  return null;
}

export async function startSitesServer(options: SitesServerOptions = {}): Promise<SitesServer> {
  const requests: SiteRequest[] = [];
  const slowMs = options.slowMs ?? 10_000;
  const pending = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      pending.delete(timer);
      fn();
    }, ms);
    pending.add(timer);
  };

  const html = (res: ServerResponse, body: string, status = 200) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body);
  };
  const text = (res: ServerResponse, body: string, status = 200) => {
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ host, path, at: Date.now() });
    const robots = path === '/robots.txt';
    switch (host) {
      case 'bakery.test':
        if (robots) return text(res, 'User-agent: *\nDisallow: /private/\n');
        if (path === '/') return html(res, BAKERY_HOME);
        if (path === '/about') return html(res, BAKERY_ABOUT);
        if (path === '/contact') return html(res, BAKERY_CONTACT);
        return html(res, '<h1>Not found</h1>', 404);
      case 'moved.test':
        res.writeHead(301, { Location: `http://www.moved.test:${port}/` });
        return res.end();
      case 'www.moved.test':
        if (robots) return text(res, 'Not found', 404);
        return html(
          res,
          '<html><head><title>Moved Logistics</title></head><body><main><h1>Moved Logistics</h1><p>Moved Logistics runs cold-chain trucks between Hamburg, Copenhagen and Oslo every night of the week.</p></main></body></html>',
        );
      case 'hop.test':
        // A public-looking site that sends the scraper to the cloud metadata address.
        res.writeHead(302, { Location: `http://metadata.test:${port}/latest/meta-data/` });
        return res.end();
      case 'robots.test':
        if (robots) return text(res, 'User-agent: *\nDisallow: /\n');
        return html(res, '<title>Private</title><p>Crawlers should not be here.</p>');
      case 'slow.test':
        if (robots) return text(res, '', 404);
        return later(slowMs, () => html(res, '<title>Finally</title><p>Too late.</p>'));
      case 'missing.test':
        if (robots) return text(res, '', 404);
        return html(res, '<h1>Page not found</h1>', 404);
      case 'loop.test':
        if (robots) return text(res, '', 404);
        res.writeHead(302, { Location: path === '/' ? '/a' : '/' });
        return res.end();
      case 'huge.test': {
        if (robots) return text(res, '', 404);
        res.writeHead(200, { 'Content-Type': 'text/html' });
        const chunk = `<p>${'x'.repeat(64 * 1024 - 7)}</p>`;
        let sent = 0;
        const pump = () => {
          while (sent < 80 && !res.destroyed) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      case 'pdf.test':
        if (robots) return text(res, '', 404);
        res.writeHead(200, { 'Content-Type': 'application/pdf' });
        return res.end('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
      case 'empty.test':
        if (robots) return text(res, '', 404);
        return html(
          res,
          '<!doctype html><html><head></head><body><div id="app"></div></body></html>',
        );
      default: {
        if (robots) return text(res, 'User-agent: *\nAllow: /\n');
        const page = generatedSite(host, path);
        const send = () => (page ? html(res, page) : html(res, '<h1>Not found</h1>', 404));
        if (options.pageDelayMs) return later(options.pageDelayMs, send);
        return send();
      }
    }
  };

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (host, path = '/') => `http://${host}:${port}${path}`,
    requests,
    count: (host, path) =>
      requests.filter((r) => r.host === host && (path === undefined || r.path === path)).length,
    async close() {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
