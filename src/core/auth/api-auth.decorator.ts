import { applyDecorators } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../web/error-response.dto.js';

/**
 * The Swagger side of "this needs an API key", for a controller or a route: the 401 and 429
 * answers every authenticated route can give. (The key requirement itself is document-wide, set
 * in buildOpenApi; @Public() routes opt out.) Pass `admin: true` for admin-only routes (403),
 * `owned: 'thing'` for routes on an owned id (the shared 404).
 */
export function ApiAuth(options: { admin?: boolean; owned?: string } = {}) {
  return applyDecorators(
    ApiUnauthorizedResponse({
      type: ErrorResponseDto,
      description: 'No API key, or a revoked or unknown one',
    }),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description: 'Over the per-key rate limit; Retry-After says when to try again',
    }),
    ...(options.admin
      ? [ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Administrators only' })]
      : []),
    ...(options.owned
      ? [
          ApiNotFoundResponse({
            type: ErrorResponseDto,
            description: `No ${options.owned} with this id belongs to you (the same answer whether it exists or not)`,
          }),
        ]
      : []),
  );
}
