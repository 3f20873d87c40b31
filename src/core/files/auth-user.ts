import type { Request } from 'express';

/**
 * The authenticated caller, as the auth guard (src/core/auth) sets it on `req.user`. Files only
 * needs the id, to record the owner and choose the storage folder.
 */
export interface AuthUser {
  id: string;
  email: string;
  isAdmin: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The owner of what this request uploads: the user's id, or null without a user. */
export function uploadOwner(req: Request): string | null {
  const id = (req as Request & { user?: Partial<AuthUser> }).user?.id;
  if (id === undefined || id === null) return null;
  // The id names a folder under STORAGE_DIR: anything but a UUID is a bug upstream, not a path.
  if (typeof id !== 'string' || !UUID.test(id)) throw new Error('req.user.id is not a UUID');
  return id.toLowerCase();
}
