import { Injectable } from '@nestjs/common';
import { LlmOfflineUnsupportedError } from '../llm.errors.js';
import type { LlmRequest } from '../llm.types.js';
import { retrievalReply } from './chat-retrieval.js';
import { keywordCostModel } from './cost-model.js';
import { featureHashEmbedding } from './feature-hashing.js';
import { keywordFlowRouting } from './flow-routing.js';
import { templatedEmail, templatedWebsiteMessage } from './outreach-templates.js';
import { extractQaPairs } from './qa-extraction.js';
import { extractWeight } from './weight-extraction.js';

/** What the offline provider answered, and which rule set did it (shown as the "model"). */
export interface OfflineAnswer {
  model: string;
  text: string;
  /** The structured value for tasks that have one (JSON tasks). */
  value?: unknown;
}

/**
 * The provider used when no API key is set: deterministic rules, one per task, that are honest
 * about what they are (results say provider "offline" and name the rule set as the model). It
 * reads the request's structured `input`, never the prose `messages`.
 */
@Injectable()
export class OfflineProvider {
  answer(request: LlmRequest): OfflineAnswer {
    switch (request.task) {
      case 'email':
        return { model: 'offline:templates', text: templatedEmail(request.input) };
      case 'website-message':
        return { model: 'offline:templates', text: templatedWebsiteMessage(request.input) };
      case 'weight-extraction': {
        const value = extractWeight(request.input.specificationText);
        return { model: 'offline:weight-regex', text: JSON.stringify(value), value };
      }
      case 'cost-model': {
        const value = keywordCostModel(request.input);
        return { model: 'offline:keyword-cost-model', text: JSON.stringify(value), value };
      }
      case 'qa-extraction': {
        const value = extractQaPairs(request.input);
        return { model: 'offline:speaker-turns', text: JSON.stringify(value), value };
      }
      case 'chat':
        return { model: 'offline:retrieval', text: retrievalReply(request.input).text };
      case 'flow-routing': {
        const value = keywordFlowRouting(request.input);
        return { model: 'offline:keyword-router', text: JSON.stringify(value), value };
      }
      case 'generic':
        return {
          model: 'offline:none',
          text:
            'Offline mode: no language model is configured (set OPENAI_API_KEY), so this ' +
            'free-form request was not answered.',
        };
      default: {
        const task: never = request;
        throw new LlmOfflineUnsupportedError(`unknown task ${JSON.stringify(task)}`);
      }
    }
  }

  /** The structured answer of a JSON task; text tasks have none and say so. */
  answerJson(request: LlmRequest): OfflineAnswer & { value: unknown } {
    const answer = this.answer(request);
    if (answer.value === undefined) {
      throw new LlmOfflineUnsupportedError(
        `the offline provider answers the "${request.task}" task as text, not JSON; ` +
          'use complete() or stream(), or configure OPENAI_API_KEY',
      );
    }
    return answer as OfflineAnswer & { value: unknown };
  }

  embed(texts: readonly string[]): number[][] {
    return texts.map((text) => featureHashEmbedding(text));
  }
}
