import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { retryAfterMs } from './rate-limit-headers.js';

/**
 * What went wrong with one attempt, in the gateway's terms. The gateway decides by `kind`, never
 * by parsing messages: the SDK's own retries are off, so every status reaches us once.
 */
export type AttemptFailure =
  /** The caller's AbortSignal fired. */
  | { kind: 'aborted' }
  /** Our per-attempt timeout fired (or the SDK's backstop). Retryable. */
  | { kind: 'timeout'; message: string }
  /** Reset, refused, DNS, or a stream that ended before its first token. Retryable. */
  | { kind: 'connection'; message: string }
  /** 429 rate_limit_exceeded; `retryAfterMs` when the provider said how long. Retryable. */
  | { kind: 'rate-limit'; message: string; retryAfterMs?: number; headers?: Headers }
  /** 429 insufficient_quota: money, not speed. Never retried on that key. */
  | { kind: 'quota'; message: string }
  /** 401: the key is wrong or revoked. The key leaves the rotation. */
  | { kind: 'auth'; status: number; message: string }
  /** 404 for the model: the next model in LLM_MODELS takes over. */
  | { kind: 'model-missing'; status: number; message: string }
  /** 408, 409, 5xx. Retryable. */
  | { kind: 'server'; status: number; message: string }
  /** 400, 403, 404 (not the model), 422 and the rest: sending it again cannot help. */
  | { kind: 'fatal'; status?: number; code?: string | null; message: string };

/** The provider's own words: the JSON error message when it sent one. */
function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return error.message.replace(/^\d{3}\s+/, '');
}

export function classifyFailure(
  error: unknown,
  context: { timedOut: boolean; callerAborted: boolean },
): AttemptFailure {
  if (context.callerAborted) return { kind: 'aborted' };
  if (context.timedOut) return { kind: 'timeout', message: 'no answer within the timeout' };
  if (error instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', message: 'no answer within the timeout' };
  }
  if (error instanceof APIUserAbortError) {
    // An abort we did not ask for: treat like a dropped connection.
    return { kind: 'connection', message: 'the request was aborted' };
  }
  if (error instanceof APIConnectionError) {
    const cause = (error.cause as Error | undefined)?.message;
    return { kind: 'connection', message: cause ? `${error.message} (${cause})` : error.message };
  }
  if (error instanceof APIError && error.status !== undefined) {
    const status = error.status;
    const message = providerMessage(error);
    const code = error.code ?? (error.error as { type?: string } | undefined)?.type ?? null;
    if (status === 429) {
      if (code === 'insufficient_quota' || error.type === 'insufficient_quota') {
        return { kind: 'quota', message };
      }
      return {
        kind: 'rate-limit',
        message,
        retryAfterMs: retryAfterMs(error.headers),
        headers: error.headers,
      };
    }
    if (status === 401) return { kind: 'auth', status, message };
    if (status === 404 && (code === 'model_not_found' || /model/i.test(message))) {
      return { kind: 'model-missing', status, message };
    }
    if (status === 408 || status === 409 || status >= 500)
      return { kind: 'server', status, message };
    return { kind: 'fatal', status, code, message };
  }
  if (error instanceof StreamEndedEarlyError) return { kind: 'connection', message: error.message };
  // Anything else from fetch (a reset surfacing as TypeError "terminated", ECONNRESET...).
  const message = error instanceof Error ? error.message : String(error);
  if (
    error instanceof TypeError ||
    /ECONNRESET|ECONNREFUSED|socket|terminated|other side closed/i.test(message)
  ) {
    return { kind: 'connection', message };
  }
  return { kind: 'fatal', message };
}

/** A stream that ended before its first token without saying why: retryable like a reset. */
export class StreamEndedEarlyError extends Error {
  constructor() {
    super('the stream ended before its first token without a finish reason');
  }
}

export function isRetryable(failure: AttemptFailure): boolean {
  return ['timeout', 'connection', 'rate-limit', 'server'].includes(failure.kind);
}
