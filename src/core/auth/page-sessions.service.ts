import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { CredentialProblem } from './auth-user.js';
import { CredentialsService } from './credentials.service.js';
import { PageSessionsRepository } from './page-sessions.repository.js';
import { randomToken, sha256Hex } from './secrets.js';

/** Opening and closing page sessions (login and logout). */
@Injectable()
export class PageSessionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: CredentialsService,
    private readonly sessions: PageSessionsRepository,
  ) {}

  /** Checks the key and opens a session bound to it; returns the cookie value, or why not. */
  async open(key: string): Promise<{ sessionId: string } | CredentialProblem> {
    const identity = await this.credentials.fromApiKey(key);
    if (typeof identity === 'string') return identity;
    const sessionId = randomToken();
    await this.sessions.deleteExpired();
    await this.sessions.insert({
      idHash: sha256Hex(sessionId),
      userId: identity.user.id,
      apiKeyId: identity.credential.keyId,
      csrfToken: randomToken(),
      expiresAt: new Date(Date.now() + this.config.auth.sessionIdleMs),
    });
    return { sessionId };
  }

  async close(sessionHash: string): Promise<void> {
    await this.sessions.delete(sessionHash);
    await this.credentials.credentialsChanged();
  }
}
