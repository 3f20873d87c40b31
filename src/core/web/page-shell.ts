import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/config.js';
import type { WebRegistry } from './web-registry.js';

/**
 * What the layout needs on every page, set as res.locals.shell: navigation with the current page
 * marked, and the offline banner. Strict templates make sure nothing is forgotten.
 */
export function pageShell(web: WebRegistry, config: AppConfig, version: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.shell = {
      nav: web.navigation().map((item) => ({
        ...item,
        active: item.href === '/' ? req.path === '/' : req.path.startsWith(item.href),
      })),
      offline: config.llm.mode === 'offline',
      version,
      user: res.locals.user ?? null,
      csrfToken: res.locals.csrfToken ?? null,
    };
    next();
  };
}
