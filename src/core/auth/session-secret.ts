import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BootError } from '../boot-error.js';
import type { AppConfig } from '../config/config.js';

export interface SessionSecret {
  secret: string;
  /** Where it came from, for the boot log (never the secret itself). */
  source: 'SESSION_SECRET' | 'file' | 'generated';
  path?: string;
}

/**
 * SESSION_SECRET when set; otherwise DATA_DIR/session-secret, generated (mode 0600) on first boot
 * so sessions survive restarts. Instances that share users but not DATA_DIR must set
 * SESSION_SECRET, or each would refuse the others' cookies.
 */
export function loadSessionSecret(config: AppConfig): SessionSecret {
  if (config.auth.sessionSecret)
    return { secret: config.auth.sessionSecret, source: 'SESSION_SECRET' };
  const path = join(config.app.dataDir, 'session-secret');
  const existing = readIfPresent(path);
  if (existing !== undefined) return { secret: checked(existing, path), source: 'file', path };
  const secret = randomBytes(48).toString('base64url');
  try {
    // wx: if another instance sharing DATA_DIR wrote it first, use theirs.
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, source: 'generated', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { secret: checked(readIfPresent(path) ?? '', path), source: 'file', path };
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function checked(secret: string, path: string): string {
  if (secret.length < 32)
    throw new BootError(
      `${path} holds a session secret shorter than 32 characters; delete the file to have a new one generated (everyone is signed out) or set SESSION_SECRET`,
    );
  return secret;
}
