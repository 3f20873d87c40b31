import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppLogger } from './app-logger.js';
import { logContext } from './log-context.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id (a sane incoming X-Request-Id is kept), returns it in the response,
 * and runs the request inside a log context so every line it writes carries `requestId`.
 */
export function requestLogging(logger: AppLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      const quiet = req.originalUrl === '/health' || req.originalUrl.startsWith('/static/');
      logContext.run({ requestId }, () =>
        logger.write(
          quiet ? 'debug' : 'info',
          `${req.method} ${req.originalUrl} ${res.statusCode}`,
          ['HTTP'],
          {
            status: res.statusCode,
            ms: Math.round(performance.now() - started),
          },
        ),
      );
    });
    logContext.run({ requestId }, next);
  };
}
