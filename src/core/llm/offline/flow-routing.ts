import type { FlowRouting } from '../llm-task-schemas.js';
import type { FlowRoutingTaskInput } from '../llm.types.js';
import { terms } from './text.js';

/**
 * Routes a message to the flow whose keywords (and id and description words) it shares the most
 * of; the default flow (or the first) when it shares none. Confidence grows with the overlap.
 */
export function keywordFlowRouting(input: FlowRoutingTaskInput): FlowRouting {
  if (input.flows.length === 0) throw new Error('flow-routing: no flows were offered');
  const messageTerms = new Set(terms(input.message));
  let best = { flow: input.defaultFlow ?? input.flows[0].id, score: 0 };
  for (const flow of input.flows) {
    const keywords = new Set(
      terms(
        [flow.id.replace(/[-_]/g, ' '), flow.description ?? '', ...(flow.keywords ?? [])].join(' '),
      ),
    );
    let score = 0;
    for (const term of keywords) if (messageTerms.has(term)) score++;
    if (score > best.score) best = { flow: flow.id, score };
  }
  const confidence = best.score === 0 ? 0.3 : Math.min(0.95, 0.5 + 0.15 * best.score);
  return { flow: best.flow, confidence };
}
