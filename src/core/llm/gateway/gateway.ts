import OpenAI from 'openai';
import type { AppConfig } from '../../config/config.js';
import {
  LlmAbortedError,
  LlmError,
  LlmRequestError,
  LlmUnavailableError,
  QuotaExhaustedError,
} from '../llm.errors.js';
import { AttemptControl } from './attempt-control.js';
import { classifyFailure, isRetryable, type AttemptFailure } from './error-classification.js';
import { KeyRing, type ApiKeyLane } from './key-ring.js';
import { rateLimitHints } from './rate-limit-headers.js';
import {
  DailyCapReachedError,
  NoLaneAvailableError,
  RateLimiter,
  sleep,
  type Permit,
} from './rate-limiter.js';

type LlmConfig = AppConfig['llm'];

export interface AttemptContext {
  lane: ApiKeyLane;
  client: OpenAI;
  model: string;
  control: AttemptControl;
}

export interface AttemptAnswer<T> {
  value: T;
  /** Response headers: their x-ratelimit-* hints tighten the shared budget. */
  headers?: Headers;
  /** Streams keep their attempt (timeout, abort) alive after the first token. */
  keepAlive?: boolean;
}

/** One logical call: what to send (per attempt) and what it may cost. */
export interface CallPlan<T> {
  /** For messages: "chat completion", "stream", "embeddings". */
  operation: string;
  models: readonly string[];
  /** Tokens reserved in the shared budget: prompt + the completion's upper bound. */
  reserveTokens: number;
  /** The completion's part of `reserveTokens`, given back when an attempt gets no answer. */
  completionTokens: number;
  signal?: AbortSignal;
  run(context: AttemptContext): Promise<AttemptAnswer<T>>;
}

export interface Executed<T> {
  value: T;
  model: string;
  lane: ApiKeyLane;
  attempts: number;
  queuedMs: number;
  /** Time spent in provider requests (every attempt), until the answer (streams: first token). */
  providerMs: number;
  control: AttemptControl;
  /** Corrects the token reservation with the provider's usage (undefined: keep the estimate). */
  settle(actualTokens: number | undefined): void;
}

/** Facts about a failed call, attached to the error for usage accounting. */
export interface FailureContext {
  attempts: number;
  model: string;
  queuedMs: number;
  keyId: string | null;
}

const failureContexts = new WeakMap<Error, FailureContext>();

export function failureContextOf(error: unknown): FailureContext | undefined {
  return error instanceof Error ? failureContexts.get(error) : undefined;
}

const MISSING_MODEL_MEMORY_MS = 10 * 60_000;

/**
 * The attempt loop of the openai provider: take a slot from the shared limiter, send, classify
 * what came back, and decide: answer, retry (with backoff or the provider's pause), hand over to
 * the next model, take a key out of rotation, or fail with an error that says why.
 */
export class LlmGateway {
  readonly keys: KeyRing;
  private readonly clients = new Map<string, OpenAI>();
  /** Models a provider said do not exist, skipped until the memory expires. */
  private readonly missingModels = new Map<string, number>();

  constructor(
    private readonly config: LlmConfig,
    readonly limiter: RateLimiter,
    keys: KeyRing,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.keys = keys;
    for (const lane of keys.lanes) {
      this.clients.set(
        lane.id,
        new OpenAI({
          apiKey: lane.secret,
          baseURL: config.baseUrl,
          // The gateway owns retries: the SDK would retry insufficient_quota and double our backoff.
          maxRetries: 0,
          // A backstop only: AttemptControl enforces LLM_TIMEOUT_MS per attempt.
          timeout: config.timeoutMs + 5000,
        }),
      );
    }
  }

  /** LLM_MODELS with the request's model first (when it names one), known-missing ones last. */
  modelsFor(requested?: string): string[] {
    const ordered = requested
      ? [requested, ...this.config.models.filter((m) => m !== requested)]
      : [...this.config.models];
    const now = Date.now();
    const missing = (m: string) => (this.missingModels.get(m) ?? 0) > now;
    return [...ordered.filter((m) => !missing(m)), ...ordered.filter(missing)];
  }

  async execute<T>(plan: CallPlan<T>): Promise<Executed<T>> {
    const models = [...plan.models];
    let modelIndex = 0;
    let attempts = 0;
    let queuedMs = 0;
    let providerMs = 0;
    let consecutiveFailures = 0;
    let retryIndex = 0;
    let lastFailure: { failure: AttemptFailure; model: string } | undefined;
    let lane: ApiKeyLane | undefined;
    /** Attaches what accounting needs to the error; `throw failed(...)`. */
    const failed = (error: LlmError, model: string): LlmError => {
      failureContexts.set(error, { attempts, model, queuedMs, keyId: lane?.id ?? null });
      return error;
    };

    for (;;) {
      const model = models[modelIndex % models.length];
      if (plan.signal?.aborted) throw failed(new LlmAbortedError(plan.signal.reason), model);
      if (attempts >= this.config.maxAttempts) {
        const last = lastFailure
          ? `; last: ${lastFailure.model}: ${describe(lastFailure.failure)}`
          : '';
        throw failed(
          new LlmUnavailableError(
            `${plan.operation} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (LLM_MAX_ATTEMPTS=${this.config.maxAttempts})${last}`,
            attempts,
            lastFailure?.model ?? model,
          ),
          model,
        );
      }

      let permit: Permit;
      try {
        permit = await this.limiter.acquire(
          this.keys.ids(),
          model,
          plan.reserveTokens,
          plan.signal,
        );
      } catch (error) {
        if (plan.signal?.aborted) throw failed(new LlmAbortedError(plan.signal.reason), model);
        if (error instanceof DailyCapReachedError) {
          throw failed(
            new QuotaExhaustedError(
              `LLM ${error.message} (LLM_DAILY_${error.cap === 'requests' ? 'REQUEST' : 'TOKEN'}_CAP)`,
              error.cap === 'requests' ? 'daily_request_cap' : 'daily_token_cap',
              error.resetAt,
            ),
            model,
          );
        }
        if (error instanceof NoLaneAvailableError)
          throw failed(await this.noKeyLeftError(model), model);
        // Without the shared limiter no call may go out (it would break the global limit).
        throw failed(
          new LlmUnavailableError(
            `the shared LLM rate limiter (Redis) is unavailable: ${(error as Error).message}`,
            attempts,
            model,
            { cause: error },
          ),
          model,
        );
      }
      queuedMs += permit.waitedMs;
      lane = this.keys.get(permit.lane);
      attempts++;
      const control = new AttemptControl(this.config.timeoutMs, plan.signal);
      const sent = performance.now();
      try {
        const answer = await plan.run({ lane, client: this.clients.get(lane.id)!, model, control });
        providerMs += performance.now() - sent;
        if (!answer.keepAlive) control.release();
        this.observe(lane.id, model, answer.headers);
        const settledLane = lane;
        return {
          value: answer.value,
          model,
          lane: settledLane,
          attempts,
          queuedMs,
          providerMs,
          control,
          settle: (actual) => {
            if (actual === undefined) return;
            this.limiter
              .settle(permit, actual)
              .catch((e: unknown) => this.log(`settle: ${String(e)}`));
          },
        };
      } catch (error) {
        providerMs += performance.now() - sent;
        control.release();
        const failure = classifyFailure(error, {
          timedOut: control.timedOut,
          callerAborted: control.callerAborted,
        });
        lastFailure = { failure, model };
        // Nothing was answered: the completion part of the reservation was not used.
        this.limiter
          .settle(permit, Math.max(0, permit.tokens - plan.completionTokens))
          .catch(() => undefined);
        switch (failure.kind) {
          case 'aborted':
            throw failed(new LlmAbortedError(plan.signal?.reason), model);
          case 'auth':
            this.log(
              `${lane.label} (${lane.id}) answered 401; it leaves the rotation: ${failure.message}`,
            );
            await this.keys.takeOut(lane.id, 'unauthorized', failure.message);
            continue;
          case 'quota':
            this.log(`${lane.label} (${lane.id}) is out of quota: ${failure.message}`);
            await this.keys.takeOut(lane.id, 'quota-exhausted', failure.message);
            // Another key may belong to another account; with none left this is the answer.
            if ((await this.usableKeyCount()) === 0) {
              throw failed(
                new QuotaExhaustedError(
                  `the LLM provider says the quota is exhausted (insufficient_quota) for ${model}: ${failure.message}`,
                  'insufficient_quota',
                  null,
                ),
                model,
              );
            }
            continue;
          case 'model-missing': {
            this.missingModels.set(model, Date.now() + MISSING_MODEL_MEMORY_MS);
            // The next model in the list (wrapping around) that is not known to be missing.
            const current = modelIndex % models.length;
            const next =
              models
                .map((_, step) => (current + 1 + step) % models.length)
                .find((i) => i !== current && !this.isMissing(models[i])) ?? -1;
            if (next < 0) {
              throw failed(
                new LlmRequestError(
                  `model ${model} is not available at the provider (${failure.status}): ${failure.message}`,
                  model,
                  'openai',
                  failure.status,
                  'model_not_found',
                ),
                model,
              );
            }
            this.log(`model ${model} is missing; falling back to ${models[next]}`);
            modelIndex = next;
            consecutiveFailures = 0;
            continue;
          }
          case 'fatal':
            throw failed(
              new LlmRequestError(
                `${model} rejected the request${failure.status ? ` (${failure.status})` : ''}: ${failure.message}`,
                model,
                'openai',
                failure.status,
                failure.code,
              ),
              model,
            );
          default:
            break;
        }
        if (!isRetryable(failure))
          throw failed(new LlmRequestError(describe(failure), model, 'openai'), model);
        consecutiveFailures++;
        retryIndex++;
        if (attempts >= this.config.maxAttempts) continue;
        if (failure.kind === 'rate-limit') {
          // Everyone on this key and model waits: the provider's word, or our backoff.
          const pauseMs = failure.retryAfterMs ?? this.backoffMs(retryIndex);
          await this.limiter.pause(lane.id, model, pauseMs).catch(async () => {
            // Redis is gone: at least this caller waits.
            await sleep(pauseMs, plan.signal).catch(() => undefined);
          });
          this.observe(lane.id, model, failure.headers);
        } else {
          try {
            await sleep(this.backoffMs(retryIndex), plan.signal);
          } catch {
            throw failed(new LlmAbortedError(plan.signal?.reason), model);
          }
        }
        if (consecutiveFailures >= this.config.fallbackAfterFailures && models.length > 1) {
          const next = (modelIndex + 1) % models.length;
          this.log(`${model} failed ${consecutiveFailures} times in a row; trying ${models[next]}`);
          modelIndex = next;
          consecutiveFailures = 0;
        }
      }
    }
  }

  private isMissing(model: string): boolean {
    return (this.missingModels.get(model) ?? 0) > Date.now();
  }

  /** Full jitter: a random wait up to base * 2^(n-1), capped. */
  backoffMs(retry: number): number {
    const ceiling = Math.min(
      this.config.backoffMaxMs,
      this.config.backoffBaseMs * 2 ** Math.max(0, retry - 1),
    );
    return Math.random() * ceiling;
  }

  private observe(lane: string, model: string, headers: Headers | undefined): void {
    const hints = rateLimitHints(headers);
    if (!hints.requests && !hints.tokens) return;
    if (!this.limiter.wouldTighten(hints)) return;
    this.limiter
      .tighten(lane, model, hints)
      .catch((e: unknown) => this.log(`tighten: ${String(e)}`));
  }

  private async usableKeyCount(): Promise<number> {
    return (await this.keys.states()).filter((s) => !s.out).length;
  }

  private async noKeyLeftError(model: string): Promise<LlmError> {
    const states = await this.keys.states();
    const quota = states.filter((s) => s.out?.state === 'quota-exhausted');
    if (quota.length > 0) {
      const resetAt = new Date(Math.min(...quota.map((s) => Date.parse(s.out!.until))));
      return new QuotaExhaustedError(
        `every API key is out of quota (insufficient_quota); the next is tried again at ${resetAt.toISOString()}: ${quota[0].out!.message}`,
        'insufficient_quota',
        resetAt,
      );
    }
    const refused = states.find((s) => s.out?.state === 'unauthorized');
    return new LlmRequestError(
      `every API key was refused by the provider (401)${refused ? `: ${refused.out!.message}` : ''}`,
      model,
      'openai',
      401,
    );
  }
}

function describe(failure: AttemptFailure): string {
  switch (failure.kind) {
    case 'aborted':
      return 'aborted';
    case 'rate-limit':
      return `rate limited (429): ${failure.message}`;
    case 'server':
    case 'auth':
    case 'model-missing':
      return `${failure.status}: ${failure.message}`;
    default:
      return failure.message;
  }
}
