import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { safeNext } from './auth.pages.controller.js';
import { readKeyHeader } from './authentication.middleware.js';

function withHeaders(headers: Record<string, string>): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

describe('readKeyHeader', () => {
  const key = `cvk_${'a'.repeat(43)}`;

  it('takes the key from X-API-Key or from a Bearer Authorization header', () => {
    expect(readKeyHeader(withHeaders({ 'X-API-Key': key }))).toEqual({ key });
    expect(readKeyHeader(withHeaders({ Authorization: `Bearer ${key}` }))).toEqual({ key });
    expect(readKeyHeader(withHeaders({ Authorization: `bearer   ${key} ` }))).toEqual({ key });
    expect(
      readKeyHeader(withHeaders({ Authorization: `Bearer ${key}`, 'X-API-Key': key })),
    ).toEqual({
      key,
    });
  });

  it('finds nothing without either header', () => {
    expect(readKeyHeader(withHeaders({}))).toBeNull();
    expect(readKeyHeader(withHeaders({ 'X-API-Key': '  ' }))).toBeNull();
  });

  it('names what is wrong with the headers', () => {
    expect(readKeyHeader(withHeaders({ Authorization: 'Basic abc' }))).toEqual({
      problem: 'malformed-header',
    });
    expect(readKeyHeader(withHeaders({ Authorization: 'Bearer' }))).toEqual({
      problem: 'malformed-header',
    });
    expect(
      readKeyHeader(withHeaders({ Authorization: `Bearer ${key}`, 'X-API-Key': `${key}x` })),
    ).toEqual({ problem: 'conflicting-keys' });
  });
});

describe('safeNext', () => {
  it('keeps paths on this site', () => {
    expect(safeNext('/keys')).toBe('/keys');
    expect(safeNext('/uploads/42?tab=rows')).toBe('/uploads/42?tab=rows');
  });

  it('turns anything that could leave the site into /', () => {
    for (const next of [
      undefined,
      '',
      'keys',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/ok\r\nSet-Cookie: x=1',
    ])
      expect(safeNext(next)).toBe('/');
  });
});
