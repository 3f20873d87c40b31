import { Body, Controller, Get, HttpException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AccountsService } from './accounts.service.js';
import type { AuthUser } from './auth-user.js';
import { CurrentUser } from './current-user.decorator.js';
import type { ApiKeyCreatedResponseDto } from './dto/api-key.dto.js';
import { notFound } from './owner-scope.js';

interface NameForm {
  name?: unknown;
}

interface UserForm {
  email?: unknown;
  admin?: unknown;
}

/** Pages for one's own API keys, and (administrators) for users. */
@ApiExcludeController()
@Controller()
export class AccountsPagesController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('keys')
  async keys(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res() res: Response,
    @Query('revoked') revoked?: string,
  ): Promise<void> {
    let notice: string | null = null;
    if (revoked) {
      const key = await this.accounts.getKey(revoked, user).catch(() => null);
      if (key)
        notice = `Revoked “${key.name}” (${key.prefix}…). It stopped working everywhere at once.`;
    }
    await this.renderKeys(req, res, user, 200, { created: null, error: null, notice });
  }

  @Post('keys')
  async createKey(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res() res: Response,
    @Body() form: NameForm,
  ): Promise<void> {
    const name = typeof form.name === 'string' ? form.name.trim() : '';
    if (name.length < 1 || name.length > 100) {
      await this.renderKeys(req, res, user, 400, {
        created: null,
        error: 'Give the key a name of 1 to 100 characters, e.g. what will use it.',
        notice: null,
      });
      return;
    }
    const created = await this.accounts.createKey(user, { name });
    await this.renderKeys(req, res, user, 201, { created, error: null, notice: null });
  }

  @Post('keys/:id/revoke')
  async revokeKey(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
  ): Promise<void> {
    // The page manages one's own keys, administrators included.
    const key = await this.accounts.getKey(id, user);
    if (key.userId !== user.id) throw notFound('API key');
    await this.accounts.revokeKey(id, user);
    if (req.auth?.identity?.credential.keyId === id) {
      res.redirect(303, '/login?next=%2Fkeys');
      return;
    }
    res.redirect(303, `/keys?revoked=${encodeURIComponent(id)}`);
  }

  @Get('users')
  async users(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.renderUsers(res, user, 200, { created: null, error: null });
  }

  @Post('users')
  async createUser(
    @CurrentUser() user: AuthUser,
    @Res() res: Response,
    @Body() form: UserForm,
  ): Promise<void> {
    if (!user.isAdmin) throw notFound('Page');
    const email = typeof form.email === 'string' ? form.email.trim().toLowerCase() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
      await this.renderUsers(res, user, 400, { created: null, error: 'Enter an email address.' });
      return;
    }
    try {
      const created = await this.accounts.createUser(user, { email, admin: form.admin === 'on' });
      await this.renderUsers(res, user, 201, {
        created: { email: created.user.email, key: created.key },
        error: null,
      });
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() !== 409) throw error;
      await this.renderUsers(res, user, 409, { created: null, error: error.message });
    }
  }

  private async renderKeys(
    req: Request,
    res: Response,
    user: AuthUser,
    status: number,
    view: { created: ApiKeyCreatedResponseDto | null; error: string | null; notice: string | null },
  ): Promise<void> {
    const currentKeyId = req.auth?.identity?.credential.keyId ?? null;
    const keys = (await this.accounts.listKeys(user)).map((key) => ({
      ...key,
      current: key.id === currentKeyId,
      active: key.status === 'active',
    }));
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('auth/keys', {
      title: 'API keys',
      keys,
      activeCount: keys.filter((key) => key.active).length,
      ...view,
    });
  }

  private async renderUsers(
    res: Response,
    user: AuthUser,
    status: number,
    view: {
      created: { email: string; key: ApiKeyCreatedResponseDto } | null;
      error: string | null;
    },
  ): Promise<void> {
    // Not an admin: the page does not exist for them (DESIGN.md 6: 404, never 403).
    if (!user.isAdmin) throw notFound('Page');
    const users = (await this.accounts.listUsers(user)).map((item) => ({
      ...item,
      self: item.id === user.id,
    }));
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('auth/users', { title: 'Users', users, ...view });
  }
}
