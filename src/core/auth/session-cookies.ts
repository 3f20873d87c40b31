import type { CookieOptions, Request, Response } from 'express';
import type { AppConfig } from '../config/config.js';

const DAY_MS = 86_400_000;

/**
 * The page session cookie and the login form's token cookie. Both are signed (cookie-parser with
 * the session secret), http-only and SameSite=Lax; over HTTPS they are Secure and carry the
 * `__Host-` prefix, which pins them to this host and path /.
 */
export class SessionCookies {
  readonly secure: boolean;
  readonly session: string;
  readonly login: string;

  constructor(config: AppConfig) {
    this.secure =
      config.auth.cookieSecure === 'auto'
        ? (config.app.publicUrl?.startsWith('https:') ?? false)
        : config.auth.cookieSecure === 'true';
    const prefix = this.secure ? '__Host-' : '';
    this.session = `${prefix}conveyor_session`;
    this.login = `${prefix}conveyor_login`;
  }

  private options(maxAge: number): CookieOptions {
    return {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      path: '/',
      signed: true,
      maxAge,
    };
  }

  /**
   * The browser may keep the cookie for 30 days; the server ends the session after
   * SESSION_IDLE_HOURS without a visit (sliding), so the cookie never needs re-issuing.
   */
  setSession(res: Response, sessionId: string): void {
    res.cookie(this.session, sessionId, this.options(30 * DAY_MS));
  }

  clearSession(res: Response): void {
    res.clearCookie(this.session, { ...this.options(0), maxAge: undefined });
  }

  /** The random value in the session cookie, or null when absent or its signature is wrong. */
  readSession(req: Request): string | null | 'tampered' {
    return readSigned(req, this.session);
  }

  setLoginToken(res: Response, token: string): void {
    res.cookie(this.login, token, this.options(2 * 3_600_000));
  }

  clearLoginToken(res: Response): void {
    res.clearCookie(this.login, { ...this.options(0), maxAge: undefined });
  }

  readLoginToken(req: Request): string | null {
    const value = readSigned(req, this.login);
    return value === 'tampered' ? null : value;
  }
}

function readSigned(req: Request, name: string): string | null | 'tampered' {
  const signed = (req.signedCookies ?? {}) as Record<string, string | false | undefined>;
  const value = signed[name];
  if (value === false) return 'tampered';
  return typeof value === 'string' && value.length > 0 ? value : null;
}
