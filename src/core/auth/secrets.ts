import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Readable marker in front of every key, so a leaked key is recognisable (secret scanners). */
export const KEY_MARKER = 'cvk_';
/** 32 random bytes = 256 bits, base64url without padding = 43 characters. */
const KEY_BYTES = 32;
const KEY_PATTERN = /^cvk_[A-Za-z0-9_-]{43}$/;
/** Characters of the random part shown in listings (48 of the 256 bits; the rest stay secret). */
const VISIBLE_CHARS = 8;

export interface NewApiKey {
  /** The key itself: handed to the user once, never stored. */
  secret: string;
  /** SHA-256 (hex) of the key: what the database keeps. */
  hash: string;
  /** What listings show: `cvk_` and the first characters of the random part. */
  prefix: string;
}

export function generateApiKey(): NewApiKey {
  const secret = KEY_MARKER + randomBytes(KEY_BYTES).toString('base64url');
  return { secret, hash: sha256Hex(secret), prefix: keyPrefix(secret) };
}

/** True when the text has the shape of a Conveyor key (checked before any database lookup). */
export function isWellFormedKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

export function keyPrefix(secret: string): string {
  return secret.slice(0, KEY_MARKER.length + VISIBLE_CHARS);
}

/**
 * SHA-256 suits keys with 256 random bits: there is nothing to brute-force, so a slow password hash
 * would only cost time on every request.
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A random token (session ids, CSRF tokens): 32 bytes, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of two tokens (false when either is missing). */
export function sameToken(a: string | undefined | null, b: string | undefined | null): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
