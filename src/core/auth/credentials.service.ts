import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { AuthRedis, credentialEpochKey, CredentialEpoch } from './auth-redis.js';
import type { CredentialProblem, Identity } from './auth-user.js';
import { PageSessionsRepository } from './page-sessions.repository.js';
import { isWellFormedKey, sha256Hex } from './secrets.js';

/** Told whenever a credential stops working (revoke, logout): every instance's cache forgets it. */
export interface CredentialChanges {
  credentialsChanged(): Promise<void>;
}

interface CacheEntry {
  identity: Identity;
  epoch: string;
  cachedAt: number;
  /** Sessions only. */
  expiresAt?: number;
}

/** Even with the epoch unchanged, an entry is re-read after this long (bounds any missed bump). */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 10_000;
const TOUCH_EVERY_MS = 60_000;

/**
 * Turns an API key or a session cookie into an Identity. Lookups are cached per instance, tagged
 * with the Redis credential epoch (see CredentialEpoch): a revoke anywhere bumps the epoch, so no
 * instance serves a revoked key from its cache once the revoke has answered. When Redis is down
 * every request reads the database.
 */
@Injectable()
export class CredentialsService implements CredentialChanges {
  private readonly logger = new Logger('Auth');
  private readonly cache = new Map<string, CacheEntry>();
  private readonly touched = new Map<string, number>();
  private readonly epoch: CredentialEpoch;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeysRepository,
    private readonly sessions: PageSessionsRepository,
    redis: AuthRedis,
  ) {
    this.epoch = new CredentialEpoch(redis.client, credentialEpochKey(redis.prefix));
  }

  async fromApiKey(secret: string): Promise<Identity | CredentialProblem> {
    if (!isWellFormedKey(secret)) return 'malformed-key';
    const hash = sha256Hex(secret);
    const cacheKey = `key:${hash}`;
    const epoch = await this.epoch.current();
    const hit = this.fresh(cacheKey, epoch);
    if (hit) {
      await this.touch(hit.identity.credential.keyId);
      return hit.identity;
    }
    const found = await this.keys.findByHash(hash);
    if (!found || found.revoked) {
      this.cache.delete(cacheKey);
      return found ? 'revoked-key' : 'unknown-key';
    }
    const identity: Identity = {
      user: { id: found.userId, email: found.email, isAdmin: found.isAdmin },
      credential: { via: 'api-key', keyId: found.keyId },
    };
    this.remember(cacheKey, { identity, epoch });
    await this.touch(found.keyId);
    return identity;
  }

  /** `sessionId` is the random value of the (signed) cookie. */
  async fromSession(sessionId: string): Promise<Identity | 'session-expired'> {
    const sessionHash = sha256Hex(sessionId);
    const cacheKey = `session:${sessionHash}`;
    const epoch = await this.epoch.current();
    const hit = this.fresh(cacheKey, epoch);
    if (hit && hit.expiresAt! > Date.now()) {
      await this.slide(sessionHash, hit);
      return hit.identity;
    }
    const found = await this.sessions.findLive(sessionHash);
    if (!found) {
      this.cache.delete(cacheKey);
      return 'session-expired';
    }
    const identity: Identity = {
      user: { id: found.userId, email: found.email, isAdmin: found.isAdmin },
      credential: {
        via: 'session',
        keyId: found.keyId,
        sessionHash,
        csrfToken: found.csrfToken,
      },
    };
    const expiresAt = found.expiresAt.getTime();
    this.remember(cacheKey, { identity, epoch, expiresAt });
    await this.slide(sessionHash, {
      identity,
      epoch: epoch ?? '',
      expiresAt,
      cachedAt: Date.now(),
    });
    return identity;
  }

  /**
   * Forgets every cached credential here and bumps the shared epoch so the other instances do too.
   * Called after the database change has committed.
   */
  async credentialsChanged(): Promise<void> {
    this.cache.clear();
    if (!(await this.epoch.bump()))
      this.logger.warn(
        `could not reach Redis to tell other instances about a revoked credential; their caches expire within ${CACHE_TTL_MS / 1000} s`,
      );
  }

  private fresh(cacheKey: string, epoch: string | null): CacheEntry | null {
    const entry = this.cache.get(cacheKey);
    if (!entry) return null;
    if (epoch === null || entry.epoch !== epoch || Date.now() - entry.cachedAt > CACHE_TTL_MS) {
      this.cache.delete(cacheKey);
      return null;
    }
    return entry;
  }

  private remember(
    cacheKey: string,
    entry: Omit<CacheEntry, 'cachedAt' | 'epoch'> & { epoch: string | null },
  ): void {
    if (entry.epoch === null) return;
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(cacheKey, { ...entry, epoch: entry.epoch, cachedAt: Date.now() });
  }

  /**
   * last_used_at, written at most once a minute per key and instance (a write per request would
   * cost more than the read). A failed write does not fail the request.
   */
  private async touch(keyId: string): Promise<void> {
    const last = this.touched.get(keyId) ?? 0;
    if (Date.now() - last < TOUCH_EVERY_MS) return;
    this.touched.set(keyId, Date.now());
    if (this.touched.size > CACHE_MAX_ENTRIES) this.touched.clear();
    await this.keys
      .touch(keyId)
      .catch((error: Error) => this.logger.warn(`last-used update: ${error.message}`));
  }

  /** Sliding expiry: a session in use is extended once half its idle time has passed. */
  private async slide(sessionHash: string, entry: CacheEntry): Promise<void> {
    await this.touch(entry.identity.credential.keyId);
    const idle = this.config.auth.sessionIdleMs;
    if (entry.expiresAt! - Date.now() > idle / 2) return;
    const expiresAt = new Date(Date.now() + idle);
    entry.expiresAt = expiresAt.getTime();
    await this.sessions
      .extend(sessionHash, expiresAt)
      .catch((error: Error) => this.logger.warn(`session extension: ${error.message}`));
  }
}
