import type { NextFunction, Request, Response } from 'express';

/**
 * POST /api/upload-image carries its image as base64 inside JSON (seed 004), far over the app's
 * 100 KB JSON limit. This parser, mounted on that path only (bootstrap), reads up to the base64
 * size of CONVERSATIONS_IMAGE_MAX_KB plus room for the other fields, and only for an
 * authenticated caller; everyone else meets the normal parser (and the 401).
 */
export function imageJsonBody(maxImageBytes: number) {
  const limit = Math.ceil((maxImageBytes * 4) / 3) + 64 * 1024;
  return (req: Request, res: Response, next: NextFunction): void => {
    const typed = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
    if (req.method !== 'POST' || !typed || !(req as { user?: unknown }).user) return next();
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return void tooLarge(res, limit);
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        tooLarge(res, limit);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        req.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      } catch {
        res.status(400).json({
          statusCode: 400,
          error: 'Bad Request',
          message: 'The body is not valid JSON',
        });
        return;
      }
      // Tells express's own JSON parser that the body has been read.
      (req as { _body?: boolean })._body = true;
      next();
    });
    req.on('error', next);
  };
}

function tooLarge(res: Response, limit: number): void {
  res.status(413).json({
    statusCode: 413,
    error: 'Payload Too Large',
    message: `The request body is over ${Math.round(limit / 1024)} KB (CONVERSATIONS_IMAGE_MAX_KB)`,
  });
}
