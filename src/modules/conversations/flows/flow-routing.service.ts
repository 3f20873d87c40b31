import { Injectable, Logger } from '@nestjs/common';
import { flowRoutingSchema } from '../../../core/llm/llm-task-schemas.js';
import { LlmService } from '../../../core/llm/llm.service.js';
import type { LlmRef } from '../../../core/llm/llm.types.js';
import type { FlowTemplateAssignment } from '../entities/flow-template-assignment.entity.js';
import { keywordMatches } from './flow-rules.js';

export type RoutedBy = 'rules' | 'model' | 'default' | 'request';

export interface RoutingDecision {
  /** Flow keys to run, in the chatbot's order. */
  flows: string[];
  /** The flow the answer is filed under (the seed's `flow_type`). */
  primary: string;
  routedBy: RoutedBy;
}

export interface RoutingInput {
  message: string;
  flows: readonly FlowTemplateAssignment[];
  defaultFlow: string;
  hasImage: boolean;
  /** `configuration.flow` of the request, when the caller names one. */
  requested?: string;
}

/**
 * Decides which flows answer a message: rules first (a flow the request names, a vision flow for
 * an image, flows whose keywords the message contains, the only flow there is), the model only
 * when the rules leave more than one candidate. Flows marked `always_run` join every answer.
 */
@Injectable()
export class FlowRoutingService {
  private readonly logger = new Logger('FlowRouting');

  constructor(private readonly llm: LlmService) {}

  /** The rules' decision, or null when the model has to choose. Cheap: no I/O. */
  routeByRules(input: RoutingInput): RoutingDecision | null {
    const candidates = input.flows.filter((flow) => !flow.alwaysRun);
    const pick = (keys: string[], routedBy: RoutedBy) => this.decision(input, keys, routedBy);
    if (input.requested && candidates.some((flow) => flow.flowKey === input.requested))
      return pick([input.requested], 'request');
    if (input.hasImage) {
      const vision = candidates.filter((flow) => flow.vision).map((flow) => flow.flowKey);
      if (vision.length > 0) return pick(vision, 'rules');
    }
    const textFlows = candidates.filter((flow) => !flow.vision);
    const matched = textFlows
      .filter((flow) => keywordMatches(input.message, flow.keywords).length > 0)
      .map((flow) => flow.flowKey);
    if (matched.length > 0) return pick(matched, 'rules');
    if (textFlows.length <= 1) return pick([this.fallback(input, textFlows)], 'default');
    return null;
  }

  /** Asks the model to choose among the text flows; the default flow when it cannot. */
  async routeByModel(
    input: RoutingInput,
    accounting: { ownerId: string; ref: LlmRef; signal?: AbortSignal },
  ): Promise<RoutingDecision> {
    const textFlows = input.flows.filter((flow) => !flow.alwaysRun && !flow.vision);
    try {
      const { value } = await this.llm.completeJson(
        {
          task: 'flow-routing',
          input: {
            message: input.message,
            flows: textFlows.map((flow) => ({
              id: flow.flowKey,
              description: flow.description ?? undefined,
              keywords: flow.keywords,
            })),
            defaultFlow: input.defaultFlow,
          },
          messages: [
            {
              role: 'system',
              content:
                'Choose the conversation flow that should answer the user message. Flows:\n' +
                textFlows
                  .map(
                    (flow) =>
                      `- ${flow.flowKey}: ${flow.description ?? ''} (keywords: ${flow.keywords.join(', ') || 'none'})`,
                  )
                  .join('\n') +
                `\nAnswer as JSON {"flow": "<flow id>", "confidence": 0..1}. When unsure, choose "${input.defaultFlow}".`,
            },
            { role: 'user', content: input.message },
          ],
          maxTokens: 60,
          temperature: 0,
          ...accounting,
        },
        flowRoutingSchema,
      );
      if (textFlows.some((flow) => flow.flowKey === value.flow))
        return this.decision(input, [value.flow], 'model');
      this.logger.warn(`the model chose an unknown flow "${value.flow}"; using the default`);
    } catch (error) {
      this.logger.warn(`routing by model failed, using the default: ${(error as Error).message}`);
    }
    return this.decision(input, [this.fallback(input, textFlows)], 'default');
  }

  private fallback(input: RoutingInput, flows: readonly FlowTemplateAssignment[]): string {
    if (flows.some((flow) => flow.flowKey === input.defaultFlow)) return input.defaultFlow;
    return flows[0]?.flowKey ?? input.flows[0].flowKey;
  }

  private decision(input: RoutingInput, keys: string[], routedBy: RoutedBy): RoutingDecision {
    const chosen = new Set(keys);
    for (const flow of input.flows) if (flow.alwaysRun) chosen.add(flow.flowKey);
    const ordered = [...input.flows]
      .sort((a, b) => a.position - b.position)
      .map((flow) => flow.flowKey)
      .filter((key) => chosen.has(key));
    return { flows: ordered, primary: keys[0], routedBy };
  }
}
