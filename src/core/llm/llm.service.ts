import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type OpenAI from 'openai';
import { z } from 'zod';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { HealthService } from '../health/health.service.js';
import { EMBEDDING_DIMENSIONS } from './embedding-dimensions.js';
import { StreamEndedEarlyError } from './gateway/error-classification.js';
import { failureContextOf, LlmGateway, type Executed } from './gateway/gateway.js';
import {
  LlmAbortedError,
  LlmError,
  LlmInvalidOutputError,
  LlmRequestError,
  LlmStreamTruncatedError,
  QuotaExhaustedError,
} from './llm.errors.js';
import {
  type LlmEmbedOptions,
  type LlmEmbedResult,
  type LlmFinishReason,
  type LlmJsonResult,
  type LlmProviderName,
  type LlmRequest,
  type LlmStream,
  type LlmStreamResult,
  type LlmTextResult,
  type LlmUsage,
} from './llm.types.js';
import { streamTokens } from './offline/chat-retrieval.js';
import { OfflineProvider } from './offline/offline.provider.js';
import { llmHealthReport } from './llm-health.js';
import { accountingProblem, requestProblem } from './request-validation.js';
import { parseAgainst, responseFormatFor } from './structured-output.js';
import { TokenChannel } from './token-channel.js';
import { countPromptTokens, countTextTokens } from './tokens.js';
import type { LlmCallOutcome } from './usage/llm-call.entity.js';
import { LlmCallsRepository, type LlmUsageTotals } from './usage/llm-calls.repository.js';
import { estimateCostUsd } from './usage/pricing.js';
import { UsageRecorder } from './usage/usage-recorder.js';

/** Injection token of the openai gateway (null in offline mode). */
export const LLM_GATEWAY = Symbol('LLM_GATEWAY');

type Operation = 'complete' | 'complete-json' | 'stream' | 'embed';

interface ChatAnswer {
  text: string;
  model: string;
  provider: LlmProviderName;
  usage: LlmUsage;
  finishReason: LlmFinishReason;
  attempts: number;
  queuedMs: number;
  providerMs: number;
  keyId: string | null;
}

interface CallFacts {
  request: Pick<LlmRequest, 'task' | 'ownerId' | 'ref'>;
  operation: Operation;
  started: number;
  outcome: LlmCallOutcome;
  provider: LlmProviderName;
  model: string;
  keyId: string | null;
  attempts: number;
  queuedMs: number;
  usage: LlmUsage;
  finishReason: LlmFinishReason | null;
  error?: string;
  ttftMs?: number | null;
}

const ZERO_USAGE: LlmUsage = {
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  estimated: true,
};

function finishReasonOf(value: string | null | undefined): LlmFinishReason {
  return value === 'stop' ||
    value === 'length' ||
    value === 'content_filter' ||
    value === 'tool_calls'
    ? value
    : 'unknown';
}

function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    estimated: a.estimated || b.estimated,
  };
}

function outcomeOf(error: unknown): LlmCallOutcome {
  if (error instanceof QuotaExhaustedError) return 'quota';
  if (error instanceof LlmAbortedError) return 'aborted';
  if (error instanceof LlmStreamTruncatedError) return 'truncated';
  if (error instanceof LlmInvalidOutputError) return 'invalid-output';
  if (error instanceof LlmError && error.retryable) return 'unavailable';
  return 'rejected';
}

/**
 * The one door to language models (DESIGN.md 4). Every module calls this; nothing else imports
 * the SDK. Without a key it answers through the offline provider with the same result shapes.
 * Every call is recorded in `llm_calls` (batched, off the call path).
 */
@Injectable()
export class LlmService implements OnModuleInit {
  private readonly llm: AppConfig['llm'];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(LLM_GATEWAY) private readonly gateway: LlmGateway | null,
    private readonly offline: OfflineProvider,
    private readonly recorder: UsageRecorder,
    private readonly calls: LlmCallsRepository,
    private readonly health: HealthService,
  ) {
    this.llm = config.llm;
  }

  /** `openai` when a key is configured, `offline` otherwise. */
  get mode(): 'openai' | 'offline' {
    return this.gateway ? 'openai' : 'offline';
  }

  onModuleInit(): void {
    this.health.register('llm', () => llmHealthReport(this.gateway, this.llm));
  }

  // -------------------------------------------------------------------------------------------
  // complete
  // -------------------------------------------------------------------------------------------

  /** A text answer. See README.md for an example. */
  async complete(request: LlmRequest): Promise<LlmTextResult> {
    this.validate(request);
    const started = performance.now();
    try {
      const answer = await this.chat(request, undefined);
      this.record({ ...this.facts(request, 'complete', started, answer), outcome: 'ok' });
      return this.result(answer, started, { text: answer.text });
    } catch (error) {
      this.recordFailure(request, 'complete', started, error);
      throw error;
    }
  }

  // -------------------------------------------------------------------------------------------
  // completeJson
  // -------------------------------------------------------------------------------------------

  /**
   * A structured answer validated against `schema` (zod). The provider is asked for JSON
   * matching the schema's JSON Schema; an answer that does not parse or validate is re-asked
   * once with the validation error. Transport errors are retried by the gateway, never re-asked.
   */
  async completeJson<S extends z.ZodType>(
    request: LlmRequest,
    schema: S,
    options: { name?: string } = {},
  ): Promise<LlmJsonResult<z.infer<S>>> {
    this.validate(request);
    const started = performance.now();
    if (!this.gateway) return this.offlineJson(request, schema, started);

    const format = responseFormatFor(request, schema, this.llm.jsonMode, options.name);
    let first: ChatAnswer | undefined;
    let second: ChatAnswer | undefined;
    try {
      first = await this.chat(format.request, format.responseFormat);
      const firstCheck = parseAgainst(first.text, schema);
      if (firstCheck.ok) {
        this.record({ ...this.facts(request, 'complete-json', started, first), outcome: 'ok' });
        return this.result(first, started, {
          value: firstCheck.value,
          text: first.text,
          reasked: false,
        });
      }
      if (first.finishReason === 'length') {
        throw new LlmInvalidOutputError(
          `${first.model} answered JSON cut off at maxTokens (${request.maxTokens ?? 'provider default'}); raise maxTokens: ${firstCheck.error}`,
          first.model,
          first.text,
          firstCheck.error,
        );
      }
      this.record({
        ...this.facts(request, 'complete-json', started, first),
        outcome: 'invalid-output',
        error: `re-asked: ${firstCheck.error}`,
      });
      const reask: LlmRequest = {
        ...format.request,
        messages: [
          ...format.request.messages,
          { role: 'assistant', content: first.text },
          {
            role: 'user',
            content:
              `Your answer does not match the required JSON schema:\n${firstCheck.error}\n` +
              'Reply again with only the corrected JSON object.',
          },
        ],
      };
      const secondStarted = performance.now();
      second = await this.chat(reask, format.responseFormat);
      const secondCheck = parseAgainst(second.text, schema);
      if (!secondCheck.ok) {
        throw new LlmInvalidOutputError(
          `${second.model} answered JSON that does not match the schema, also after one re-ask: ${secondCheck.error}`,
          second.model,
          second.text,
          secondCheck.error,
        );
      }
      this.record({
        ...this.facts(request, 'complete-json', secondStarted, second),
        outcome: 'ok',
      });
      const combined: ChatAnswer = {
        ...second,
        usage: addUsage(first.usage, second.usage),
        attempts: first.attempts + second.attempts,
        queuedMs: first.queuedMs + second.queuedMs,
        providerMs: first.providerMs + second.providerMs,
      };
      return this.result(combined, started, {
        value: secondCheck.value,
        text: second.text,
        reasked: true,
      });
    } catch (error) {
      const answered = second ?? first;
      if (answered && error instanceof LlmInvalidOutputError) {
        this.record({
          ...this.facts(request, 'complete-json', started, answered),
          outcome: 'invalid-output',
          error: error.message,
        });
      } else {
        this.recordFailure(request, 'complete-json', started, error);
      }
      throw error;
    }
  }

  private offlineJson<S extends z.ZodType>(
    request: LlmRequest,
    schema: S,
    started: number,
  ): LlmJsonResult<z.infer<S>> {
    try {
      const answer = this.offline.answerJson(request);
      const parsed = schema.safeParse(answer.value);
      if (!parsed.success) {
        throw new LlmInvalidOutputError(
          `the offline provider's ${request.task} answer does not match the given schema ` +
            `(use the schema exported by src/core/llm for this task): ${z.prettifyError(parsed.error)}`,
          answer.model,
          answer.text,
          z.prettifyError(parsed.error),
        );
      }
      const chat = this.offlineChatAnswer(request, answer.model, answer.text);
      this.record({ ...this.facts(request, 'complete-json', started, chat), outcome: 'ok' });
      return this.result(chat, started, {
        value: parsed.data as z.infer<S>,
        text: answer.text,
        reasked: false,
      });
    } catch (error) {
      const wrapped = this.wrapOfflineError(error);
      this.recordFailure(request, 'complete-json', started, wrapped);
      throw wrapped;
    }
  }

  // -------------------------------------------------------------------------------------------
  // stream
  // -------------------------------------------------------------------------------------------

  /**
   * Tokens as they arrive. Iterate the stream, then read `result` (text, finish reason, time to
   * first token, tokens/s). Failures before the first token are retried like any call; after
   * it, a cut is reported as `LlmStreamTruncatedError` (with the partial text), never as done.
   */
  stream(request: LlmRequest): LlmStream {
    this.validate(request);
    const started = performance.now();
    // The consumer stopping early (break) aborts the call like the caller's own signal would.
    const consumer = new AbortController();
    const signal = request.signal
      ? AbortSignal.any([request.signal, consumer.signal])
      : consumer.signal;
    const channel = new TokenChannel(() =>
      consumer.abort(new Error('the consumer stopped reading the stream')),
    );
    const result = (
      this.gateway
        ? this.streamOpenAi(request, signal, channel, started)
        : this.streamOffline(request, signal, channel, started)
    ).then(
      (value) => {
        channel.end();
        return value;
      },
      (error: unknown) => {
        channel.fail(error);
        throw error;
      },
    );
    // Whoever only iterates must not get an unhandled rejection from `result`.
    result.catch(() => undefined);
    return {
      result,
      [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    };
  }

  private async streamOffline(
    request: LlmRequest,
    signal: AbortSignal,
    channel: TokenChannel,
    started: number,
  ): Promise<LlmStreamResult> {
    try {
      const answer = this.offline.answer(request);
      let ttftMs = 0;
      const tokens = streamTokens(answer.text);
      for (const [i, token] of tokens.entries()) {
        if (signal.aborted) throw new LlmAbortedError(signal.reason);
        await new Promise<void>((resolve) =>
          this.llm.offlineStreamDelayMs > 0 && i > 0
            ? setTimeout(resolve, this.llm.offlineStreamDelayMs)
            : setImmediate(resolve),
        );
        if (i === 0) ttftMs = performance.now() - started;
        channel.push(token);
      }
      const chat = this.offlineChatAnswer(request, answer.model, answer.text);
      this.record({ ...this.facts(request, 'stream', started, chat), outcome: 'ok', ttftMs });
      return this.streamResult(chat, started, ttftMs);
    } catch (error) {
      const wrapped = this.wrapOfflineError(error);
      this.recordFailure(request, 'stream', started, wrapped);
      throw wrapped;
    }
  }

  private async streamOpenAi(
    request: LlmRequest,
    signal: AbortSignal,
    channel: TokenChannel,
    started: number,
  ): Promise<LlmStreamResult> {
    const gateway = this.gateway!;
    const promptTokens = countPromptTokens(request.messages);
    const completionTokens = request.maxTokens ?? this.llm.completionReserveTokens;
    type Opened = {
      iterator: AsyncIterator<OpenAI.Chat.Completions.ChatCompletionChunk>;
      first: string[];
      finish: string | null;
      usage: OpenAI.Completions.CompletionUsage | null;
      served: string;
    };
    let executed: Executed<Opened> | undefined;
    try {
      executed = await gateway.execute<Opened>({
        operation: 'stream',
        models: gateway.modelsFor(request.model),
        reserveTokens: promptTokens + completionTokens,
        completionTokens,
        signal,
        run: async ({ client, model, control }) => {
          const { data, response } = await client.chat.completions
            .create(
              {
                ...this.chatBody(request, model),
                stream: true,
                stream_options: { include_usage: true },
              },
              { signal: control.signal },
            )
            .withResponse();
          const iterator = data[Symbol.asyncIterator]();
          const opened: Opened = { iterator, first: [], finish: null, usage: null, served: model };
          // Read up to the first token: until then a failure is retried like any other.
          for (;;) {
            const next = await iterator.next();
            control.touch();
            if (next.done) break;
            this.absorbChunk(next.value, opened);
            if (opened.first.length > 0 || opened.finish) break;
          }
          if (opened.first.length === 0 && !opened.finish) throw new StreamEndedEarlyError();
          return { value: opened, headers: response.headers, keepAlive: true };
        },
      });
    } catch (error) {
      this.recordFailure(request, 'stream', started, error);
      throw error;
    }

    const { value: opened, control } = executed;
    const ttftMs = performance.now() - started;
    const firstTokenAt = performance.now();
    let text = '';
    const emit = (token: string) => {
      text += token;
      channel.push(token);
    };
    opened.first.splice(0).forEach(emit);
    let cut: unknown;
    try {
      while (!opened.finish || !opened.usage) {
        const next = await opened.iterator.next();
        control.touch();
        if (next.done) break;
        this.absorbChunk(next.value, opened);
        opened.first.splice(0).forEach(emit);
      }
    } catch (error) {
      cut = error;
    } finally {
      control.release();
    }
    const usage = this.usageOf(opened.usage, promptTokens, text);
    executed.settle(usage.totalTokens);
    const answer: ChatAnswer = {
      text,
      model: opened.served,
      provider: 'openai',
      usage,
      finishReason: finishReasonOf(opened.finish),
      attempts: executed.attempts,
      queuedMs: executed.queuedMs,
      providerMs: executed.providerMs,
      keyId: executed.lane.id,
    };
    // An abort can surface as an error or as a quiet end of the SDK's iterator.
    if (signal.aborted && !opened.finish) {
      const error = new LlmAbortedError(signal.reason);
      this.record({
        ...this.facts(request, 'stream', started, answer),
        outcome: 'aborted',
        error: error.message,
        ttftMs,
      });
      throw error;
    }
    if (!opened.finish) {
      const why = control.timedOut
        ? `no new token within ${this.llm.timeoutMs} ms`
        : cut !== undefined
          ? `the connection broke (${(cut as Error).message ?? String(cut)})`
          : 'the stream ended without a finish reason';
      const error = new LlmStreamTruncatedError(
        `the answer of ${answer.model} is truncated after ${countTextTokens(text)} tokens: ${why}`,
        answer.model,
        'openai',
        text,
        ttftMs,
      );
      this.record({
        ...this.facts(request, 'stream', started, answer),
        outcome: 'truncated',
        error: error.message,
        ttftMs,
      });
      throw error;
    }
    this.record({ ...this.facts(request, 'stream', started, answer), outcome: 'ok', ttftMs });
    return this.streamResult(answer, started, ttftMs, firstTokenAt);
  }

  private absorbChunk(
    chunk: OpenAI.Chat.Completions.ChatCompletionChunk,
    into: {
      first: string[];
      finish: string | null;
      usage: OpenAI.Completions.CompletionUsage | null;
      served: string;
    },
  ): void {
    if (chunk.model) into.served = chunk.model;
    if (chunk.usage) into.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue;
      if (choice.delta?.content) into.first.push(choice.delta.content);
      if (choice.finish_reason) into.finish = choice.finish_reason;
    }
  }

  private streamResult(
    answer: ChatAnswer,
    started: number,
    ttftMs: number,
    firstTokenAt?: number,
  ): LlmStreamResult {
    const base = this.result(answer, started, { text: answer.text });
    const seconds = (performance.now() - (firstTokenAt ?? started + ttftMs)) / 1000;
    const tokensPerSecond =
      seconds > 0 ? answer.usage.completionTokens / seconds : answer.usage.completionTokens;
    return {
      ...base,
      ttftMs: Math.round(ttftMs * 10) / 10,
      tokensPerSecond: Math.round(tokensPerSecond * 10) / 10,
    };
  }

  // -------------------------------------------------------------------------------------------
  // embed
  // -------------------------------------------------------------------------------------------

  /**
   * One EMBEDDING_DIMENSIONS-long, L2-normalised vector per text, in order. Sent in batches of
   * LLM_EMBEDDING_BATCH_SIZE, each its own rate-limited, retried and recorded call.
   */
  async embed(texts: readonly string[], options: LlmEmbedOptions = {}): Promise<LlmEmbedResult> {
    const request = { task: 'generic' as const, ownerId: options.ownerId, ref: options.ref };
    if (!Array.isArray(texts)) throw this.invalid('embed() takes an array of strings');
    texts.forEach((text, i) => {
      if (typeof text !== 'string' || text.trim() === '') {
        throw this.invalid(
          `embed(): text ${i} is ${typeof text === 'string' ? 'empty' : `a ${typeof text}`}`,
        );
      }
    });
    this.validateAccounting(options);
    const started = performance.now();
    if (texts.length === 0) {
      return {
        vectors: [],
        model: this.embeddingModelName(),
        provider: this.mode,
        usage: { ...ZERO_USAGE, estimated: false },
        costUsd: 0,
        latencyMs: 0,
        queuedMs: 0,
        providerMs: 0,
        attempts: 0,
      };
    }
    if (!this.gateway) {
      const vectors = this.offline.embed(texts);
      const promptTokens = texts.reduce((sum, t) => sum + countTextTokens(t), 0);
      const usage: LlmUsage = {
        promptTokens,
        completionTokens: 0,
        totalTokens: promptTokens,
        estimated: true,
      };
      this.record({
        request,
        operation: 'embed',
        started,
        outcome: 'ok',
        provider: 'offline',
        model: 'offline:feature-hashing',
        keyId: null,
        attempts: 1,
        queuedMs: 0,
        usage,
        finishReason: null,
      });
      return {
        vectors,
        model: 'offline:feature-hashing',
        provider: 'offline',
        usage,
        costUsd: 0,
        latencyMs: performance.now() - started,
        queuedMs: 0,
        providerMs: 0,
        attempts: 1,
      };
    }
    const vectors: number[][] = [];
    let usage: LlmUsage = { ...ZERO_USAGE, estimated: false };
    let attempts = 0;
    let queuedMs = 0;
    let providerMs = 0;
    let model = this.llm.embeddingModel;
    for (let start = 0; start < texts.length; start += this.llm.embeddingBatchSize) {
      const batch = texts.slice(start, start + this.llm.embeddingBatchSize);
      const batchStarted = performance.now();
      const tokens = batch.reduce((sum, t) => sum + countTextTokens(t), 0);
      try {
        const executed = await this.gateway.execute({
          operation: 'embeddings',
          models: [this.llm.embeddingModel],
          reserveTokens: tokens,
          completionTokens: 0,
          signal: options.signal,
          run: async ({ client, model: m, control }) => {
            const { data, response } = await client.embeddings
              .create(
                {
                  model: m,
                  input: batch,
                  encoding_format: 'float',
                  ...(this.llm.embeddingSendDimensions ? { dimensions: EMBEDDING_DIMENSIONS } : {}),
                },
                { signal: control.signal },
              )
              .withResponse();
            return { value: data, headers: response.headers };
          },
        });
        const data = [...executed.value.data].sort((a, b) => a.index - b.index);
        if (data.length !== batch.length) {
          throw new LlmRequestError(
            `${executed.model} returned ${data.length} embeddings for ${batch.length} texts`,
            executed.model,
            'openai',
          );
        }
        for (const item of data) {
          if (item.embedding.length !== EMBEDDING_DIMENSIONS) {
            throw new LlmRequestError(
              `${executed.model} returned ${item.embedding.length}-dimensional embeddings; the database stores ${EMBEDDING_DIMENSIONS} (EMBEDDING_DIMENSIONS). Use a model that supports it (or LLM_EMBEDDING_SEND_DIMENSIONS=true).`,
              executed.model,
              'openai',
            );
          }
          vectors.push(normalise(item.embedding));
        }
        const prompt = executed.value.usage?.prompt_tokens;
        const batchUsage: LlmUsage = {
          promptTokens: prompt ?? tokens,
          completionTokens: 0,
          totalTokens: executed.value.usage?.total_tokens ?? prompt ?? tokens,
          estimated: prompt === undefined,
        };
        executed.settle(batchUsage.totalTokens);
        usage = addUsage(usage, batchUsage);
        attempts += executed.attempts;
        queuedMs += executed.queuedMs;
        providerMs += executed.providerMs;
        model = executed.model;
        this.record({
          request,
          operation: 'embed',
          started: batchStarted,
          outcome: 'ok',
          provider: 'openai',
          model,
          keyId: executed.lane.id,
          attempts: executed.attempts,
          queuedMs: executed.queuedMs,
          usage: batchUsage,
          finishReason: null,
        });
      } catch (error) {
        this.recordFailure(request, 'embed', batchStarted, error);
        throw error;
      }
    }
    return {
      vectors,
      model,
      provider: 'openai',
      usage,
      costUsd: estimateCostUsd(this.llm.prices, model, usage.promptTokens, 0),
      latencyMs: performance.now() - started,
      queuedMs,
      providerMs: round2(providerMs),
      attempts,
    };
  }

  // -------------------------------------------------------------------------------------------
  // usage
  // -------------------------------------------------------------------------------------------

  /**
   * Tokens and cost of the calls that served `ref` or name it as their parent (one query).
   * Waits for calls still buffered, so a job that just finished sees all of its calls.
   */
  async usageByRef(ref: { kind: string; id: string }): Promise<LlmUsageTotals> {
    await this.recorder.flush();
    return this.calls.sumByRef(ref);
  }

  /** The same for many refs of one kind at once (a list page): one query. */
  async usageByRefs(kind: string, ids: readonly string[]): Promise<Map<string, LlmUsageTotals>> {
    await this.recorder.flush();
    return this.calls.sumByRefs(kind, ids);
  }

  // -------------------------------------------------------------------------------------------
  // internals
  // -------------------------------------------------------------------------------------------

  private embeddingModelName(): string {
    return this.gateway ? this.llm.embeddingModel : 'offline:feature-hashing';
  }

  private chatBody(
    request: LlmRequest,
    model: string,
  ): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
    return {
      model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    };
  }

  /** One chat completion through the gateway (or the offline rules); not recorded here. */
  private async chat(
    request: LlmRequest,
    responseFormat:
      OpenAI.Chat.Completions.ChatCompletionCreateParams['response_format'] | undefined,
  ): Promise<ChatAnswer> {
    if (!this.gateway) {
      try {
        const answer = this.offline.answer(request);
        return this.offlineChatAnswer(request, answer.model, answer.text);
      } catch (error) {
        throw this.wrapOfflineError(error);
      }
    }
    const promptTokens = countPromptTokens(request.messages);
    const completionTokens = request.maxTokens ?? this.llm.completionReserveTokens;
    const executed = await this.gateway.execute({
      operation: 'chat completion',
      models: this.gateway.modelsFor(request.model),
      reserveTokens: promptTokens + completionTokens,
      completionTokens,
      signal: request.signal,
      run: async ({ client, model, control }) => {
        const { data, response } = await client.chat.completions
          .create(
            {
              ...this.chatBody(request, model),
              ...(responseFormat ? { response_format: responseFormat } : {}),
            },
            { signal: control.signal },
          )
          .withResponse();
        return { value: data, headers: response.headers };
      },
    });
    const choice = executed.value.choices?.[0];
    const text = choice?.message?.content ?? '';
    const usage = this.usageOf(executed.value.usage ?? null, promptTokens, text);
    executed.settle(usage.totalTokens);
    return {
      text,
      model: executed.value.model || executed.model,
      provider: 'openai',
      usage,
      finishReason: finishReasonOf(choice?.finish_reason),
      attempts: executed.attempts,
      queuedMs: executed.queuedMs,
      providerMs: executed.providerMs,
      keyId: executed.lane.id,
    };
  }

  private usageOf(
    usage: OpenAI.Completions.CompletionUsage | null,
    promptTokens: number,
    text: string,
  ): LlmUsage {
    if (usage) {
      return {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
        totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
        estimated: false,
      };
    }
    const completionTokens = countTextTokens(text);
    return {
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      estimated: true,
    };
  }

  private offlineChatAnswer(request: LlmRequest, model: string, text: string): ChatAnswer {
    const promptTokens = countPromptTokens(request.messages);
    const completionTokens = countTextTokens(text);
    return {
      text,
      model,
      provider: 'offline',
      usage: {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
        estimated: true,
      },
      finishReason: 'stop',
      attempts: 1,
      queuedMs: 0,
      providerMs: 0,
      keyId: null,
    };
  }

  private wrapOfflineError(error: unknown): unknown {
    if (error instanceof LlmError) return error;
    return new LlmRequestError(
      `offline provider: ${(error as Error).message ?? String(error)}`,
      'offline',
      'offline',
    );
  }

  private result<T extends object>(answer: ChatAnswer, started: number, extra: T) {
    return {
      ...extra,
      model: answer.model,
      provider: answer.provider,
      usage: answer.usage,
      costUsd:
        answer.provider === 'offline'
          ? 0
          : estimateCostUsd(
              this.llm.prices,
              answer.model,
              answer.usage.promptTokens,
              answer.usage.completionTokens,
            ),
      latencyMs: round2(performance.now() - started),
      queuedMs: round2(answer.queuedMs),
      providerMs: round2(answer.providerMs),
      attempts: answer.attempts,
      finishReason: answer.finishReason,
    };
  }

  private facts(
    request: LlmRequest | CallFacts['request'],
    operation: Operation,
    started: number,
    answer: ChatAnswer,
  ): Omit<CallFacts, 'outcome'> {
    return {
      request,
      operation,
      started,
      provider: answer.provider,
      model: answer.model,
      keyId: answer.keyId,
      attempts: answer.attempts,
      queuedMs: answer.queuedMs,
      usage: answer.usage,
      finishReason: answer.finishReason,
    };
  }

  private recordFailure(
    request: CallFacts['request'],
    operation: Operation,
    started: number,
    error: unknown,
  ): void {
    const context = failureContextOf(error);
    this.record({
      request,
      operation,
      started,
      outcome: outcomeOf(error),
      provider: this.mode,
      model:
        context?.model ??
        (error instanceof LlmRequestError ? error.model : undefined) ??
        (this.gateway ? this.llm.models[0] : 'offline'),
      keyId: context?.keyId ?? null,
      attempts: context?.attempts ?? (this.gateway ? 0 : 1),
      queuedMs: context?.queuedMs ?? 0,
      usage: ZERO_USAGE,
      finishReason: null,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private record(facts: CallFacts): void {
    const { request, usage } = facts;
    this.recorder.record({
      createdAt: new Date(),
      ownerId: request.ownerId ?? null,
      refKind: request.ref?.kind ?? null,
      refId: request.ref?.id ?? null,
      parentKind: request.ref?.parent?.kind ?? null,
      parentId: request.ref?.parent?.id ?? null,
      task: request.task,
      operation: facts.operation,
      provider: facts.provider,
      model: facts.model,
      keyId: facts.keyId,
      outcome: facts.outcome,
      finishReason: facts.finishReason,
      error: facts.error ? facts.error.slice(0, 2000) : null,
      attempts: facts.attempts,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      totalTokens: usage.totalTokens,
      tokensEstimated: usage.estimated,
      costUsd:
        facts.provider === 'offline'
          ? 0
          : estimateCostUsd(
              this.llm.prices,
              facts.model,
              usage.promptTokens,
              usage.completionTokens,
            ),
      latencyMs: Math.round(performance.now() - facts.started),
      queuedMs: Math.round(facts.queuedMs),
      ttftMs: facts.ttftMs === undefined || facts.ttftMs === null ? null : Math.round(facts.ttftMs),
    });
  }

  /** Bad input is a programming error: say exactly what is wrong before anything is sent. */
  private validate(request: LlmRequest): void {
    const problem = requestProblem(request);
    if (problem) throw this.invalid(problem);
  }

  private validateAccounting(accounting: LlmEmbedOptions): void {
    const problem = accountingProblem(accounting);
    if (problem) throw this.invalid(problem);
  }

  private invalid(message: string): LlmRequestError {
    return new LlmRequestError(
      `invalid LLM request: ${message}`,
      this.gateway ? this.llm.models[0] : 'offline',
      this.mode,
    );
  }
}

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm > 0 ? vector.map((x) => x / norm) : [...vector];
}
