import type { LoggerService } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { AppConfig } from '../config/config.js';
import { authenticationMiddleware } from './authentication.middleware.js';
import { CredentialsService } from './credentials.service.js';
import { loadSessionSecret } from './session-secret.js';
import { SessionCookies } from './session-cookies.js';

export { securityHeaders } from './security-headers.js';

/**
 * Signed cookies and the authentication middleware (who is calling: key or session). Installed by
 * bootstrap after the static files and before the page shell, which reads res.locals.user.
 */
export function installAuthentication(
  app: NestExpressApplication,
  config: AppConfig,
  logger: LoggerService,
): void {
  const { secret, source, path } = loadSessionSecret(config);
  if (source === 'generated')
    logger.log(`generated the session cookie secret into ${path} (mode 0600)`, 'Auth');
  app.use(cookieParser(secret));
  app.use(authenticationMiddleware(app.get(CredentialsService), app.get(SessionCookies)));
}
