import { Inject, Injectable, ServiceUnavailableException, type CanActivate } from '@nestjs/common';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';

/** FEEDME_ENABLED=false: the API and pages answer 503 (health still reports). */
@Injectable()
export class FeedmeEnabledGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (!this.config.feedme.enabled)
      throw new ServiceUnavailableException(
        'FeedMe is disabled on this server (FEEDME_ENABLED=false).',
      );
    return true;
  }
}
