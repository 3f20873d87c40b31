import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostOverride } from '../uploads.env.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the scraper checks them all). */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export class DnsLookupError extends Error {
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(
      code === 'ENOTFOUND' || code === 'ENODATA'
        ? `${host} does not exist (DNS: ${code})`
        : `could not resolve ${host} (DNS: ${code})`,
    );
    this.name = 'DnsLookupError';
  }
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** The system resolver (getaddrinfo: /etc/hosts, then DNS). */
export const systemResolver: HostResolver = async (host) => {
  try {
    const found = await lookup(host, { all: true, verbatim: true });
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  } catch (error) {
    throw new DnsLookupError(host, (error as NodeJS.ErrnoException).code ?? 'EFAIL');
  }
};

/**
 * A resolver that answers fixed addresses for some names first (SCRAPE_RESOLVE, like curl
 * --resolve; `*.example` covers every name under example) and asks `fallback` for the rest.
 * IP literals resolve to themselves.
 */
export function createResolver(
  overrides: readonly HostOverride[],
  fallback: HostResolver = systemResolver,
): HostResolver {
  return async (host) => {
    const name = host.toLowerCase().replace(/^\[|\]$/g, '');
    if (isIP(name)) return [{ address: name, family: familyOf(name) }];
    // An exact name wins over a wildcard; a longer wildcard over a shorter one.
    const match =
      overrides.find((o) => o.host === name) ??
      overrides
        .filter((o) => o.host.startsWith('*.') && name.endsWith(o.host.slice(1)))
        .sort((a, b) => b.host.length - a.host.length)[0];
    if (match) return [{ address: match.address, family: familyOf(match.address) }];
    return fallback(name);
  };
}
