import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from './auth-user.js';

/**
 * The authenticated user of the request: `list(@CurrentUser() user: AuthUser)`. On a @Public()
 * route without credentials there is none, and the request is refused with 401 rather than run
 * without an owner.
 */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const user = ctx.switchToHttp().getRequest<Request>().user;
  if (!user) throw new UnauthorizedException('This action needs an API key or a signed-in page.');
  return user satisfies AuthUser;
});
