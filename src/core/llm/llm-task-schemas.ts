import { z } from 'zod';

/**
 * Answer schemas of the structured tasks. The offline provider answers exactly these shapes, so
 * a module that passes them to `completeJson` works with and without a key. A module may pass its
 * own schema; offline answers are still validated against it (a mismatch is a clear error).
 * JSON Schema for `response_format` needs an object at the root, hence the wrapping objects.
 */

/** seed 001: `{"unit_weight_grams": 2500}`; null when the document names no weight. */
export const weightExtractionSchema = z.object({
  unit_weight_grams: z.number().nonnegative().nullable(),
});
export type WeightExtraction = z.infer<typeof weightExtractionSchema>;

/** seed 001: parts of the cost per offered index, summing to 1. */
export const costModelSchema = z.object({
  cost_models: z
    .array(
      z.object({
        index_id: z.union([z.string(), z.number()]),
        part: z.number().min(0).max(1),
      }),
    )
    .min(1),
});
export type CostModel = z.infer<typeof costModelSchema>;

/** seed 003: question/answer pairs from a transcript, with the extractor's confidence. */
export const qaExtractionSchema = z.object({
  examples: z.array(
    z.object({
      question: z.string().min(1),
      answer: z.string().min(1),
      confidence: z.number().min(0).max(1),
    }),
  ),
});
export type QaExtraction = z.infer<typeof qaExtractionSchema>;

/** seed 004: which flow answers the message. */
export const flowRoutingSchema = z.object({
  flow: z.string().min(1),
  confidence: z.number().min(0).max(1),
});
export type FlowRouting = z.infer<typeof flowRoutingSchema>;
