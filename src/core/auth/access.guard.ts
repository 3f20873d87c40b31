import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { CredentialProblem, Identity } from './auth-user.js';
import { IS_PUBLIC } from './public.decorator.js';
import { RATE_LIMITS } from './rate-limit.decorator.js';
import {
  RateLimiter,
  rateLimitHeaders,
  TooManyRequestsException,
  type RateLimitCheck,
  type RateLimitPolicy,
} from './rate-limiter.js';
import { sameToken } from './secrets.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Policies counted per client address rather than per key. */
const PER_ADDRESS: ReadonlySet<RateLimitPolicy> = new Set(['login']);

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The global guard (APP_GUARD): every route needs an identity unless it is @Public(); requests made
 * with the page session cookie must carry the session's CSRF token on anything but GET/HEAD/OPTIONS;
 * then the per-key rate limits are counted (general, plus any @RateLimit on the route).
 * /docs and /static never reach it (they are not Nest routes).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false;
    const identity = req.auth?.identity ?? null;

    if (!isPublic) {
      if (!identity) throw new ApiKeyRequiredException(req.auth?.problem ?? null);
      if (identity.credential.via === 'session' && !SAFE_METHODS.has(req.method))
        checkCsrf(req, identity.credential.csrfToken);
    }

    const extra = this.reflector.getAllAndMerge<RateLimitPolicy[]>(RATE_LIMITS, targets) ?? [];
    const policies = [
      ...new Set<RateLimitPolicy>([...(isPublic ? [] : ['general' as const]), ...extra]),
    ];
    const checks = policies.map((policy) => ({
      policy,
      subject: subjectFor(policy, identity, req),
    }));
    await this.count(checks, res);
    return true;
  }

  private async count(checks: RateLimitCheck[], res: Response): Promise<void> {
    const outcome = await this.limiter.consume(checks);
    if (!outcome) return;
    if (!outcome.allowed)
      throw new TooManyRequestsException(outcome, this.config.auth.rateLimits[outcome.policy]);
    for (const [name, value] of Object.entries(rateLimitHeaders(outcome)))
      res.setHeader(name, value);
  }
}

function subjectFor(policy: RateLimitPolicy, identity: Identity | null, req: Request): string {
  if (identity && !PER_ADDRESS.has(policy)) return `key:${identity.credential.keyId}`;
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * Synchronizer token: the session's token must come back in the X-CSRF-Token header (page
 * scripts) or the `_csrf` form field (page forms; multipart forms put it in the action's query
 * string, since their body is read after this guard). The field is removed once checked so DTO
 * validation never sees it.
 */
function checkCsrf(req: Request, expected: string): void {
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  const fromQuery = (req.query as Record<string, unknown>)[CSRF_FIELD];
  const sent =
    req.header(CSRF_HEADER) ??
    (typeof fromBody === 'string' ? fromBody : undefined) ??
    (typeof fromQuery === 'string' ? fromQuery : undefined);
  if (body && typeof body === 'object') delete body[CSRF_FIELD];
  if (!sameToken(sent, expected))
    throw new ForbiddenException(
      sent
        ? 'This form has expired (its security token does not match your session). Reload the page and try again.'
        : 'Missing security token: page forms send the _csrf field and page scripts the X-CSRF-Token header. API clients send their key in X-API-Key instead of the session cookie.',
    );
}

const PROBLEMS: Record<CredentialProblem | 'none', string> = {
  none: 'This route needs an API key: send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`.',
  'malformed-header': 'The Authorization header must be `Bearer <key>`.',
  'conflicting-keys': 'X-API-Key and Authorization carry different keys: send one key.',
  'malformed-key':
    'That is not a Conveyor API key (they look like cvk_ followed by 43 characters).',
  'unknown-key': 'This API key is not valid.',
  'revoked-key': 'This API key has been revoked.',
  'session-expired': 'Your session has ended: sign in again with your API key.',
};

/** 401 in the API's error shape, with a WWW-Authenticate challenge; pages turn it into a redirect to /login. */
export class ApiKeyRequiredException extends UnauthorizedException {
  readonly headers = { 'WWW-Authenticate': 'Bearer realm="conveyor"' };

  constructor(problem: CredentialProblem | null) {
    super(PROBLEMS[problem ?? 'none']);
  }
}
