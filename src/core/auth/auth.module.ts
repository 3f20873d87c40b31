import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AccessGuard } from './access.guard.js';
import { AccountsPagesController } from './accounts.pages.controller.js';
import { AccountsService, CREDENTIAL_CHANGES } from './accounts.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { AuthPagesController } from './auth.pages.controller.js';
import { AuthRedis } from './auth-redis.js';
import { CredentialsService } from './credentials.service.js';
import { ApiKey } from './entities/api-key.entity.js';
import { PageSession } from './entities/page-session.entity.js';
import { User } from './entities/user.entity.js';
import { FirstAdminService } from './first-admin.service.js';
import { PageSessionsRepository } from './page-sessions.repository.js';
import { PageSessionsService } from './page-sessions.service.js';
import { RateLimiter } from './rate-limiter.js';
import { SessionCookies } from './session-cookies.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';

/**
 * Users, API keys, page sessions, the global access guard (API key or session, CSRF, per-key rate
 * limits) and the first-boot admin. Global: modules inject AccountsService or RateLimiter if they
 * need them, and use @CurrentUser(), @Public(), @RateLimit() and OwnedRepository.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([User, ApiKey, PageSession])],
  controllers: [UsersController, ApiKeysController, AuthPagesController, AccountsPagesController],
  providers: [
    UsersRepository,
    ApiKeysRepository,
    PageSessionsRepository,
    AuthRedis,
    RateLimiter,
    CredentialsService,
    { provide: CREDENTIAL_CHANGES, useExisting: CredentialsService },
    AccountsService,
    PageSessionsService,
    FirstAdminService,
    {
      provide: SessionCookies,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SessionCookies(config),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [AccountsService, CredentialsService, RateLimiter, SessionCookies],
})
export class AuthModule {}
