import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { CredentialProblem } from './auth-user.js';
import { PageSessionsService } from './page-sessions.service.js';
import { Public } from './public.decorator.js';
import { RateLimit } from './rate-limit.decorator.js';
import { randomToken, sameToken } from './secrets.js';
import { SessionCookies } from './session-cookies.js';

interface LoginForm {
  key?: unknown;
  next?: unknown;
  _csrf?: unknown;
}

const LOGIN_ERRORS: Partial<Record<CredentialProblem, string>> = {
  'malformed-key':
    'That does not look like a Conveyor API key: keys start with cvk_ and are 47 characters long.',
  'unknown-key': 'That key is not valid. Check that you copied all of it.',
  'revoked-key': 'That key has been revoked. Ask an administrator for a new one.',
};

/** The login form (a key in, a session cookie out) and logout. */
@ApiExcludeController()
@Controller()
export class AuthPagesController {
  constructor(
    private readonly sessions: PageSessionsService,
    @Inject(SessionCookies) private readonly cookies: SessionCookies,
  ) {}

  @Public()
  @Get('login')
  login(
    @Req() req: Request,
    @Res() res: Response,
    @Query('next') next?: string,
    @Query('signedOut') signedOut?: string,
  ): void {
    if (req.auth?.identity?.credential.via === 'session') {
      res.redirect(303, safeNext(next));
      return;
    }
    const notice =
      signedOut === '1'
        ? 'You have signed out.'
        : req.auth?.problem === 'session-expired'
          ? 'Your session has ended. Sign in again.'
          : null;
    this.renderLogin(req, res, 200, { next: safeNext(next), error: null, notice });
  }

  @Public()
  @RateLimit('login')
  @Post('login')
  async submit(@Req() req: Request, @Res() res: Response, @Body() form: LoginForm): Promise<void> {
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    if (
      !sameToken(
        typeof form._csrf === 'string' ? form._csrf : null,
        this.cookies.readLoginToken(req),
      )
    ) {
      this.renderLogin(req, res, 403, {
        next,
        error:
          'The sign-in form expired or your browser did not send its cookie. Please try again (cookies must be enabled).',
        notice: null,
      });
      return;
    }
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    if (!key) {
      this.renderLogin(req, res, 400, {
        next,
        error: 'Paste your API key to sign in.',
        notice: null,
      });
      return;
    }
    const opened = await this.sessions.open(key);
    if (typeof opened === 'string') {
      this.renderLogin(req, res, 401, {
        next,
        error: LOGIN_ERRORS[opened] ?? 'That key cannot be used to sign in.',
        notice: null,
      });
      return;
    }
    const previous = req.auth?.identity?.credential;
    if (previous?.via === 'session') await this.sessions.close(previous.sessionHash);
    this.cookies.setSession(res, opened.sessionId);
    this.cookies.clearLoginToken(res);
    res.redirect(303, next);
  }

  /** Needs the session (and so its CSRF token, checked by the guard). */
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const credential = req.auth?.identity?.credential;
    if (credential?.via === 'session') await this.sessions.close(credential.sessionHash);
    this.cookies.clearSession(res);
    res.redirect(303, '/login?signedOut=1');
  }

  private renderLogin(
    req: Request,
    res: Response,
    status: number,
    view: { next: string; error: string | null; notice: string | null },
  ): void {
    // Double-submit token against login CSRF (someone signing a victim in with their own key).
    let token = this.cookies.readLoginToken(req);
    if (!token || status === 403) {
      token = randomToken();
      this.cookies.setLoginToken(res, token);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('auth/login', { title: 'Sign in', loginToken: token, ...view });
  }
}

/** Only a path on this site: `/x` yes; `//evil.example`, `/\evil`, `https://...` no. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Control characters (a newline could split the Location header).
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return '/';
  return next;
}
