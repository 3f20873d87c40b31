import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { logContext } from '../logging/log-context.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId?: string;
  [extra: string]: unknown;
}

/**
 * One error shape for the whole API ({statusCode, error, message, requestId}), and a finished
 * error page instead of JSON when a browser navigates to a page.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const body = this.toBody(exception);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (exception instanceof HttpException) {
      const headers = (exception as HttpException & { headers?: Record<string, string> }).headers;
      if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    }
    if (body.statusCode === 401 && wantsPage(req)) {
      // A browser without a (live) session goes to the login form, and comes back after.
      const next = req.method === 'GET' ? req.originalUrl : '/';
      res.redirect(303, `/login?next=${encodeURIComponent(next)}`);
      return;
    }
    if (wantsPage(req)) {
      res.status(body.statusCode).render('error', {
        title: `${body.statusCode} ${body.error}`,
        statusCode: body.statusCode,
        error: body.error,
        messages: Array.isArray(body.message) ? body.message : [body.message],
        requestId: body.requestId ?? null,
      });
      return;
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    const requestId = logContext.current()?.requestId;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const fields =
        typeof response === 'string'
          ? { message: response }
          : (response as Record<string, unknown>);
      return {
        statusCode: status,
        error: typeof fields.error === 'string' ? fields.error : statusText(status),
        ...fields,
        message: (fields.message as string | string[]) ?? exception.message,
        requestId,
      };
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message:
        'Something went wrong on our side; the server log has the details under this request id.',
      requestId,
    };
  }
}

function wantsPage(req: Request): boolean {
  if (req.path.startsWith('/api') || req.path.startsWith('/health') || req.path.startsWith('/docs'))
    return false;
  // Any method: a page form that fails (an expired CSRF token) gets a page too, not JSON.
  return req.accepts(['json', 'html']) === 'html';
}

function statusText(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .split('_')
        .map((word) => word[0].toUpperCase() + word.slice(1))
        .join(' ')
    : 'Error';
}
