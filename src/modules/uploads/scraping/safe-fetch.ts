import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { isPrivateAddress } from './address-policy.js';
import { DnsLookupError, type HostResolver, type ResolvedAddress } from './host-resolver.js';
import type { ScrapeOutcome } from './scrape-outcome.js';

export interface SafeFetchOptions {
  resolve: HostResolver;
  allowPrivate: boolean;
  /** Which resolved addresses are refused (default: private ones, unless allowPrivate). */
  refuse?: (address: string) => boolean;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  /** Most body bytes read (after decompression). */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  accept: string;
  signal?: AbortSignal;
  /** Decides from the final response's Content-Type whether to read the body. */
  wantBody(contentType: string | null): boolean;
  /**
   * Runs before every request (the first and each redirect hop): robots.txt and the per-host
   * politeness delay live here. Returning a refusal stops the fetch with that outcome.
   */
  beforeRequest?(url: URL): Promise<{ outcome: ScrapeOutcome; detail: string } | void>;
}

export interface FetchedResponse {
  kind: 'response';
  url: string;
  finalUrl: string;
  status: number;
  contentType: string | null;
  /** Null when the status was not 2xx or wantBody said no. */
  body: Buffer | null;
  redirects: string[];
  /** The address the last request went to (after the private-address check). */
  address: string;
}

export interface FetchFailure {
  kind: 'failure';
  url: string;
  finalUrl: string;
  outcome: ScrapeOutcome;
  detail: string;
  status?: number;
  redirects: string[];
}

export type FetchResult = FetchedResponse | FetchFailure;

class FetchStop extends Error {
  constructor(
    readonly outcome: ScrapeOutcome,
    detail: string,
    readonly status?: number,
  ) {
    super(detail);
  }
}

/**
 * GET with the protections a scraper of user-supplied URLs needs:
 * - every hop's host is resolved once and every address checked against the private ranges
 *   (unless allowPrivate); the connection is then pinned to the checked address through the
 *   socket's lookup, so a second, different DNS answer (rebinding) is never used;
 * - redirects are followed by hand, each hop checked the same way, up to maxRedirects, and a
 *   loop is named as one;
 * - one deadline for everything, a body cap counted after decompression (a Content-Length over
 *   the cap stops before reading), and the caller's signal.
 */
export async function safeFetch(rawUrl: string, options: SafeFetchOptions): Promise<FetchResult> {
  const redirects: string[] = [];
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new FetchStop('timeout', `no complete answer within ${options.timeoutMs} ms`),
      ),
    options.timeoutMs,
  );
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let current = rawUrl;
  try {
    if (options.signal?.aborted) throw options.signal.reason;
    for (let hop = 0; ; hop++) {
      const url = parseHttpUrl(current);
      const refusal = await raceAbort(options.beforeRequest?.(url), controller.signal);
      if (refusal) throw new FetchStop(refusal.outcome, refusal.detail);
      const address = await raceAbort(checkedAddress(url, options), controller.signal);
      const res = await raceAbort(
        send(url, address, options, controller.signal),
        controller.signal,
      );
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.destroy();
        let next: string;
        try {
          next = new URL(location, url).toString();
        } catch {
          throw new FetchStop(
            'http_error',
            `HTTP ${status} redirect to an invalid address`,
            status,
          );
        }
        redirects.push(next);
        if (next === url.toString() || redirects.slice(0, -1).includes(next) || next === rawUrl)
          throw new FetchStop(
            'http_error',
            `redirect loop (${[rawUrl, ...redirects].join(' -> ')})`,
            status,
          );
        if (hop >= options.maxRedirects)
          throw new FetchStop('http_error', `more than ${options.maxRedirects} redirects`, status);
        current = next;
        continue;
      }
      const contentType = (res.headers['content-type'] as string | undefined) ?? null;
      const base = {
        url: rawUrl,
        finalUrl: url.toString(),
        status,
        contentType,
        redirects,
        address: address.address,
      };
      if (status < 200 || status >= 300 || !options.wantBody(contentType)) {
        res.destroy();
        return { kind: 'response', ...base, body: null };
      }
      const declared = Number(res.headers['content-length']);
      if (
        Number.isFinite(declared) &&
        declared > options.maxBytes &&
        !res.headers['content-encoding']
      ) {
        res.destroy();
        throw new FetchStop(
          'too_large',
          `${declared} bytes, over the ${options.maxBytes}-byte limit`,
          status,
        );
      }
      const body = await readBody(res, options.maxBytes, controller.signal);
      return { kind: 'response', ...base, body };
    }
  } catch (error) {
    const cause: unknown = controller.signal.aborted ? (controller.signal.reason ?? error) : error;
    const stop = toStop(cause);
    if (!stop) throw cause;
    return {
      kind: 'failure',
      url: rawUrl,
      finalUrl: current,
      outcome: stop.outcome,
      detail: stop.message,
      status: stop.status,
      redirects,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function parseHttpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FetchStop('http_error', `not a valid address: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FetchStop('http_error', `${url.protocol} addresses are not fetched`);
  return url;
}

async function checkedAddress(url: URL, options: SafeFetchOptions): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  try {
    addresses = await options.resolve(host);
  } catch (error) {
    if (error instanceof DnsLookupError) throw new FetchStop('dns_error', error.message);
    throw error;
  }
  if (addresses.length === 0) throw new FetchStop('dns_error', `${host} has no address`);
  const refuse = options.refuse ?? (options.allowPrivate ? null : isPrivateAddress);
  if (refuse) {
    // All of them: a name with one public and one private address could connect to either.
    const refused = addresses.find((entry) => refuse(entry.address));
    if (refused)
      throw new FetchStop(
        'refused_private',
        `${host} resolves to ${refused.address}, a private, loopback or link-local address`,
      );
  }
  return addresses[0];
}

function send(
  url: URL,
  address: ResolvedAddress,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  // The connection goes to the address that was checked, whatever DNS would say now.
  const pinned: LookupFunction = (_host, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        lookup: pinned,
        agent: false,
        signal,
        headers: {
          'User-Agent': options.userAgent,
          Accept: options.accept,
          'Accept-Encoding': 'gzip, deflate, br',
          'Accept-Language': 'en;q=0.9, *;q=0.5',
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

function readBody(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim();
  let stream: NodeJS.ReadableStream = res;
  let decoder: Transform | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding === 'br') decoder = createBrotliDecompress();
  if (decoder) stream = res.pipe(decoder);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: unknown) => {
      res.destroy();
      decoder?.destroy();
      reject(error);
    };
    signal.addEventListener('abort', () => stop(signal.reason), { once: true });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop(new FetchStop('too_large', `more than ${maxBytes} bytes`, res.statusCode));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', (error) =>
      stop(
        new FetchStop('http_error', `the body could not be read: ${error.message}`, res.statusCode),
      ),
    );
    res.on('error', (error) => stop(error));
  });
}

/** Rejects as soon as the signal fires, whatever the promise is doing. */
function raceAbort<T>(promise: Promise<T> | T, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  HPE_INVALID_CONSTANT: 'not an HTTP server',
};

function toStop(error: unknown): FetchStop | null {
  if (error instanceof FetchStop) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (code === 'ETIMEDOUT') return new FetchStop('timeout', 'the connection timed out');
  if (code in NETWORK_ERRORS) return new FetchStop('http_error', NETWORK_ERRORS[code]);
  if (code.startsWith('HPE_'))
    return new FetchStop('http_error', `malformed HTTP answer (${code})`);
  if (/CERT|SSL|TLS/i.test(code) || /certificate|ssl|tls/i.test(String((error as Error)?.message)))
    return new FetchStop('http_error', `TLS: ${(error as Error).message}`);
  return null;
}
