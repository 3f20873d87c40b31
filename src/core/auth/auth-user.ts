/**
 * Who is calling. The access guard puts it on `req.user` for every authenticated request; handlers
 * take it with `@CurrentUser() user: AuthUser` and pass it to repositories (owner scoping).
 */
export interface AuthUser {
  /** uuid */
  id: string;
  email: string;
  isAdmin: boolean;
}

/** How the request proved who it is. */
export type Credential =
  | { via: 'api-key'; keyId: string }
  | {
      via: 'session';
      /** The key the browser logged in with: the session ends when it is revoked. */
      keyId: string;
      sessionHash: string;
      csrfToken: string;
    };

export interface Identity {
  user: AuthUser;
  credential: Credential;
}

/** Why a request carrying credentials was not let in (the 401 message says so). */
export type CredentialProblem =
  | 'malformed-header'
  | 'conflicting-keys'
  | 'malformed-key'
  | 'unknown-key'
  | 'revoked-key'
  | 'session-expired';

/** What the authentication middleware found, for the guard to enforce. */
export interface RequestAuth {
  identity: Identity | null;
  problem: CredentialProblem | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set for every authenticated request (see AccessGuard); absent on public routes without credentials. */
    user?: AuthUser;
    auth?: RequestAuth;
  }
}
