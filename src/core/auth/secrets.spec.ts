import { describe, expect, it } from '@jest/globals';
import { generateApiKey, isWellFormedKey, sameToken, sha256Hex } from './secrets.js';

describe('API key secrets', () => {
  it('makes 256-bit keys with a readable marker, a visible prefix and a SHA-256 hash', () => {
    const key = generateApiKey();
    expect(key.secret).toMatch(/^cvk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.secret.slice(4), 'base64url')).toHaveLength(32);
    expect(key.prefix).toBe(key.secret.slice(0, 12));
    expect(key.hash).toBe(sha256Hex(key.secret));
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.hash).not.toContain(key.secret.slice(4));
  });

  it('never makes the same key twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().secret));
    expect(keys.size).toBe(1000);
  });

  it('recognises the key shape before any lookup', () => {
    expect(isWellFormedKey(generateApiKey().secret)).toBe(true);
    expect(isWellFormedKey('cvk_short')).toBe(false);
    expect(isWellFormedKey(`xyz_${'a'.repeat(43)}`)).toBe(false);
    expect(isWellFormedKey(`cvk_${'a'.repeat(42)}!`)).toBe(false);
  });

  it('compares tokens in constant time and refuses empty ones', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', 'abcd')).toBe(false);
    expect(sameToken('', '')).toBe(false);
    expect(sameToken(undefined, 'abc')).toBe(false);
  });
});
