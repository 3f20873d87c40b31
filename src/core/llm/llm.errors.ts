import type { LlmProviderName } from './llm.types.js';

/** Base of every error the gateway throws; `retryable` says whether trying later may help. */
export class LlmError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The provider refused for money or the daily cap is reached (`insufficient_quota`,
 * LLM_DAILY_REQUEST_CAP, LLM_DAILY_TOKEN_CAP). Never retried: callers pause their work and keep
 * partial results; `resetAt` says when to try again when it is known.
 */
export class QuotaExhaustedError extends LlmError {
  constructor(
    message: string,
    readonly reason: 'insufficient_quota' | 'daily_request_cap' | 'daily_token_cap',
    readonly resetAt: Date | null,
  ) {
    super(message, false);
  }
}

/**
 * The provider rejected the request itself (400, 401, 403, 404, 422, a missing model, a bad key):
 * sending it again cannot help. The message names the model and the provider's own words.
 */
export class LlmRequestError extends LlmError {
  constructor(
    message: string,
    readonly model: string,
    readonly provider: LlmProviderName,
    readonly status?: number,
    readonly code?: string | null,
  ) {
    super(message, false);
  }
}

/**
 * Every attempt failed with something transient (429, 5xx, timeouts, resets) and
 * LLM_MAX_ATTEMPTS is used up. Retrying the job later may work.
 */
export class LlmUnavailableError extends LlmError {
  constructor(
    message: string,
    readonly attempts: number,
    readonly lastModel: string,
    options?: { cause?: unknown },
  ) {
    super(message, true, options);
  }
}

/** The answer did not match the schema, also after the one re-ask. Holds what the model said. */
export class LlmInvalidOutputError extends LlmError {
  constructor(
    message: string,
    readonly model: string,
    readonly text: string,
    readonly validationError: string,
  ) {
    super(message, false);
  }
}

/**
 * A stream stopped after its first token without a finish reason (connection cut, server gave
 * up). Not retried (the tokens are already out); `text` is what arrived.
 */
export class LlmStreamTruncatedError extends LlmError {
  constructor(
    message: string,
    readonly model: string,
    readonly provider: LlmProviderName,
    readonly text: string,
    readonly ttftMs: number,
  ) {
    super(message, false);
  }
}

/** The offline provider cannot do what was asked (e.g. JSON for a `generic` task). */
export class LlmOfflineUnsupportedError extends LlmError {
  constructor(message: string) {
    super(message, false);
  }
}

/** The caller's AbortSignal fired; carries its reason. */
export class LlmAbortedError extends LlmError {
  constructor(reason?: unknown) {
    super(
      `LLM call aborted${reason instanceof Error ? `: ${reason.message}` : ''}`,
      false,
      reason === undefined ? undefined : { cause: reason },
    );
  }
}
