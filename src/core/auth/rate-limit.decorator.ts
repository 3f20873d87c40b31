import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../web/error-response.dto.js';
import type { RateLimitPolicy } from './rate-limiter.js';

export const RATE_LIMITS = 'conveyor:auth:rate-limits';

/**
 * Adds a stricter limit to a route (or controller), on top of the general per-key limit:
 * `@RateLimit('upload')` allows RATE_LIMIT_UPLOADS_PER_MINUTE uploads a minute per API key (seed
 * 003: 10). Limits are shared by every instance through Redis; a request over a limit gets 429
 * with Retry-After.
 */
export function RateLimit(...policies: Exclude<RateLimitPolicy, 'general'>[]) {
  return applyDecorators(
    SetMetadata(RATE_LIMITS, policies),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description: `Over the ${policies.join(' or ')} rate limit; Retry-After says when to try again`,
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    }),
  );
}
