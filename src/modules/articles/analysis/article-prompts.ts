import { z } from 'zod';
import type { LlmMessage, LlmRequest } from '../../../core/llm/llm.types.js';

/**
 * The two LLM calls of an analysis, with the seed's contracts. The answer schemas are a little
 * wider than the prompts ask for, on purpose: a weight written with its unit ("5.51 lb") or a
 * part above 1 is read and corrected by the module (unit-weight.ts, cost-model.ts) instead of
 * failing the schema and costing a re-ask.
 */

/** seed 001: `{"unit_weight_grams": <float or null>}`. */
export const articleWeightSchema = z.object({
  unit_weight_grams: z.union([z.number(), z.string(), z.null()]),
});
export type ArticleWeightAnswer = z.infer<typeof articleWeightSchema>;

/** seed 001: `[{index_id, part}, ...]`, wrapped in an object for JSON mode. */
export const articleCostModelSchema = z.object({
  cost_models: z
    .array(z.object({ index_id: z.union([z.number(), z.string()]), part: z.number() }))
    .min(1),
});
export type ArticleCostModelAnswer = z.infer<typeof articleCostModelSchema>;

export const WEIGHT_SYSTEM_PROMPT = [
  'You extract the weight of one unit of a product from its specification.',
  'Answer with JSON only: {"unit_weight_grams": <number or null>}.',
  'Convert any unit (kg, g, mg, t, lb, oz) to grams, e.g. 2.5 kg -> 2500, 5.51 lb -> 2499.3.',
  'Use the net weight of one unit when several weights are given; ignore load capacities and packaging weights of several units.',
  'Answer null when the document states no weight.',
].join('\n');

export const COST_MODEL_SYSTEM_PROMPT = [
  'You estimate which cost indices drive the cost of a manufactured article.',
  'Answer with JSON only: {"cost_models": [{"index_id": <id>, "part": <fraction>}, ...]}.',
  'Use only the index ids listed by the user. Parts are fractions of the article cost between 0 and 1 and must sum to 1.',
  'Leave out indices that do not matter for this article.',
].join('\n');

export interface WeightPromptInput {
  articleName: string;
  fileName: string;
  text: string;
  excerpted: boolean;
}

export function weightRequest(input: WeightPromptInput): LlmRequest {
  return {
    task: 'weight-extraction',
    input: { specificationText: input.text, fileName: input.fileName },
    messages: [
      { role: 'system', content: WEIGHT_SYSTEM_PROMPT },
      {
        role: 'user',
        content:
          `Article: ${input.articleName}\nFile: ${input.fileName}\n` +
          (input.excerpted
            ? 'Passages of the specification (the parts about weight, dimensions and materials):\n'
            : 'Specification:\n') +
          input.text,
      },
    ],
  };
}

export interface CostIndexOffer {
  id: number;
  name: string;
  description: string | null;
}

export interface CostModelPromptInput {
  articleName: string;
  description: string | null;
  unitWeightKg: number | null;
  specificationExcerpt: string | null;
  indices: readonly CostIndexOffer[];
}

export function costModelRequest(input: CostModelPromptInput): LlmRequest {
  const indexLines = input.indices
    .map((i) => `- ${i.id}: ${i.name}${i.description ? ` (${i.description})` : ''}`)
    .join('\n');
  return {
    task: 'cost-model',
    input: {
      articleName: input.articleName,
      description: input.description ?? undefined,
      specificationText: input.specificationExcerpt ?? undefined,
      unitWeightGrams: input.unitWeightKg === null ? null : input.unitWeightKg * 1000,
      indices: input.indices.map((i) => ({
        id: i.id,
        name: i.name,
        description: i.description ?? undefined,
      })),
    },
    messages: [
      { role: 'system', content: COST_MODEL_SYSTEM_PROMPT },
      {
        role: 'user',
        content: [
          `Article: ${input.articleName}`,
          input.description ? `Description: ${input.description}` : null,
          input.unitWeightKg !== null ? `Unit weight: ${input.unitWeightKg} kg` : null,
          input.specificationExcerpt
            ? `From the specification:\n${input.specificationExcerpt}`
            : null,
          `Cost indices (id: name):\n${indexLines}`,
        ]
          .filter((line) => line !== null)
          .join('\n'),
      },
    ],
  };
}

/** The follow-up message when an answer named index ids that were not offered. */
export function unknownIndicesFollowUp(
  answerText: string,
  unknown: readonly string[],
  indices: readonly CostIndexOffer[],
): LlmMessage[] {
  return [
    { role: 'assistant', content: answerText },
    {
      role: 'user',
      content:
        `These index ids do not exist: ${unknown.join(', ')}. ` +
        `Answer again using only these ids: ${indices.map((i) => i.id).join(', ')}.`,
    },
  ];
}
