import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { LlmService } from '../../core/llm/llm.service.js';
import type { LlmMessage, LlmProviderName } from '../../core/llm/llm.types.js';
import {
  checkEmail,
  emailMessages,
  reaskMessage,
  verdictOf,
  type RenderContext,
} from './email-prompt.js';
import {
  leadValues,
  toLeadFields,
  unusableRowReason,
  type ColumnMap,
  type LeadValues,
} from './lead-columns.js';

/** What a row needs from its job to be written. */
export interface EmailJobSettings {
  id: string;
  ownerId: string;
  headers: string[];
  columnMap: ColumnMap;
  template: string;
  offer: string | null;
  senderRole: string;
}

export interface WrittenEmail {
  email: string;
  verdict: string;
  model: string;
  provider: LlmProviderName;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  attempts: number;
  prompt: string;
}

/** A row that cannot be personalised: it fails alone, without a call. */
export class UnusableRowError extends Error {}

/**
 * One row to one email through the gateway: the seed's prompt (system role + the job's template),
 * the output checked (word count, no signature, no placeholder left) and asked once more when it
 * fails, with the verdict kept. The gateway's limiter paces every call; nothing here waits on its
 * own.
 */
@Injectable()
export class EmailWriter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly llm: LlmService,
  ) {}

  lead(job: EmailJobSettings, cells: readonly string[]): LeadValues {
    return leadValues(job.columnMap, job.headers, cells);
  }

  context(job: EmailJobSettings, cells: readonly string[]): RenderContext {
    return {
      values: this.lead(job, cells),
      headers: job.headers,
      cells,
      offer: job.offer,
      senderRole: job.senderRole,
    };
  }

  async write(
    job: EmailJobSettings,
    row: { rowIndex: number; cells: readonly string[] },
    signal?: AbortSignal,
  ): Promise<WrittenEmail> {
    const context = this.context(job, row.cells);
    const unusable = unusableRowReason(context.values);
    if (unusable) throw new UnusableRowError(unusable);
    const messages = emailMessages(job.template, context);
    const input = {
      lead: toLeadFields(context.values, job.columnMap, job.headers, row.cells),
      offer: job.offer ?? undefined,
    };
    const base = {
      task: 'email' as const,
      input,
      maxTokens: this.config.emailGeneration.maxTokens,
      signal,
      ownerId: job.ownerId,
      ref: {
        kind: 'email-row',
        id: `${job.id}:${row.rowIndex}`,
        parent: { kind: 'email-job', id: job.id },
      },
    };
    const first = await this.llm.complete({ ...base, messages });
    const text = first.text.trim();
    const check = checkEmail(text);
    const written: WrittenEmail = {
      email: text,
      verdict: verdictOf(check),
      model: first.model,
      provider: first.provider,
      promptTokens: first.usage.promptTokens,
      completionTokens: first.usage.completionTokens,
      costUsd: first.costUsd,
      attempts: first.attempts,
      prompt: messages[1].content,
    };
    if (check.ok) return written;
    const followUp: LlmMessage[] = [
      ...messages,
      { role: 'assistant', content: text },
      reaskMessage(check),
    ];
    const second = await this.llm.complete({ ...base, messages: followUp });
    const secondText = second.text.trim();
    const secondCheck = checkEmail(secondText);
    // The re-ask's answer is kept even when it fails too: it was told what to fix.
    return {
      ...written,
      email: secondText,
      verdict: verdictOf(check, secondCheck),
      model: second.model,
      promptTokens: written.promptTokens + second.usage.promptTokens,
      completionTokens: written.completionTokens + second.usage.completionTokens,
      costUsd:
        written.costUsd === null || second.costUsd === null
          ? null
          : written.costUsd + second.costUsd,
      attempts: written.attempts + second.attempts,
    };
  }
}
