import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config/config.js';

type Directives = Record<string, string[]>;

/**
 * helmet's headers with a Content-Security-Policy that allows scripts and stylesheets from this
 * origin only: no inline scripts, no event-handler attributes, no CDNs. Style *attributes* are
 * allowed (progress bar widths); <style> blocks are not. Swagger UI's page (/docs) carries inline
 * <style> blocks of its own, so there, and only there, inline styles are allowed; its scripts are
 * files like ours.
 */
export function securityHeaders(config: AppConfig) {
  const https = config.app.publicUrl?.startsWith('https:') ?? false;
  const pages: Directives = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'style-src-elem': ["'self'"],
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    // Over plain http (local use) upgrading would break every asset.
    ...(https ? { 'upgrade-insecure-requests': [] } : {}),
  };
  const docs: Directives = {
    ...pages,
    'style-src': ["'self'", "'unsafe-inline'"],
    'style-src-elem': ["'self'", "'unsafe-inline'"],
  };
  const build = (directives: Directives) =>
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'same-origin' },
      xFrameOptions: { action: 'deny' },
    });
  const forPages = build(pages);
  const forDocs = build(docs);
  return (req: Request, res: Response, next: NextFunction): void => {
    const isDocs =
      req.path === '/docs' || req.path.startsWith('/docs/') || req.path === '/docs-json';
    (isDocs ? forDocs : forPages)(req, res, next);
  };
}
