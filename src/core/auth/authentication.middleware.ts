import type { NextFunction, Request, Response } from 'express';
import type { CredentialProblem, Identity, RequestAuth } from './auth-user.js';
import type { CredentialsService } from './credentials.service.js';
import type { SessionCookies } from './session-cookies.js';

type KeyHeader = { key: string } | { problem: CredentialProblem } | null;

/**
 * Finds out who is calling, before routing: an API key (`Authorization: Bearer <key>` or
 * `X-API-Key: <key>`, which wins over a session cookie) or the page session cookie. It only
 * records what it found on `req.auth` (and `res.locals.user` / `res.locals.csrfToken` for the page
 * layout); AccessGuard decides, per route, whether that is enough.
 */
export function authenticationMiddleware(credentials: CredentialsService, cookies: SessionCookies) {
  return (req: Request, res: Response, next: NextFunction): void => {
    resolve(req, res, credentials, cookies).then((auth) => {
      req.auth = auth;
      if (auth.identity) {
        req.user = auth.identity.user;
        res.locals.user = auth.identity.user;
        if (auth.identity.credential.via === 'session')
          res.locals.csrfToken = auth.identity.credential.csrfToken;
      }
      next();
    }, next);
  };
}

async function resolve(
  req: Request,
  res: Response,
  credentials: CredentialsService,
  cookies: SessionCookies,
): Promise<RequestAuth> {
  const header = readKeyHeader(req);
  if (header && 'problem' in header) return { identity: null, problem: header.problem };
  if (header) return outcome(await credentials.fromApiKey(header.key));
  const sessionId = cookies.readSession(req);
  if (sessionId === null) return { identity: null, problem: null };
  const found =
    sessionId === 'tampered' ? 'session-expired' : await credentials.fromSession(sessionId);
  if (found === 'session-expired') cookies.clearSession(res);
  return outcome(found);
}

function outcome(found: Identity | CredentialProblem): RequestAuth {
  return typeof found === 'string'
    ? { identity: null, problem: found }
    : { identity: found, problem: null };
}

export function readKeyHeader(req: Request): KeyHeader {
  const authorization = req.header('authorization');
  const apiKey = req.header('x-api-key')?.trim();
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { problem: 'malformed-header' };
    bearer = match[1];
  }
  if (bearer && apiKey && bearer !== apiKey) return { problem: 'conflicting-keys' };
  const key = bearer ?? apiKey;
  return key ? { key } : null;
}
