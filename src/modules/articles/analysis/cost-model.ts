/**
 * Cost models as the seed stores them: `[{index_id, part}]`. Whatever a model answers, what is
 * stored references only offered (existing, active) indices and sums to 1: unknown ids are
 * re-asked once by the caller and then dropped, duplicates are merged, and the parts are scaled so
 * they add up to exactly 1.
 */

export interface CostModelAnswerPart {
  index_id: string | number;
  part: number;
}

export interface CostModelPart {
  indexId: number;
  part: number;
}

export interface SettledCostModel {
  parts: CostModelPart[];
  /** What was changed, in words, stored with the model and shown on the page. */
  adjustments: string[];
}

/** Parts are stored to this many decimals; the largest part absorbs the rounding. */
const DECIMALS = 6;

/** The offered id an answer's `index_id` names ("3", 3, "3.0"), or undefined. */
export function offeredId(raw: string | number, offered: ReadonlySet<number>): number | undefined {
  const id = typeof raw === 'number' ? raw : Number(raw.trim());
  return Number.isInteger(id) && offered.has(id) ? id : undefined;
}

/** The index ids of an answer that were not offered, as the model wrote them. */
export function unknownIndexIds(
  answer: readonly CostModelAnswerPart[],
  offered: ReadonlySet<number>,
): string[] {
  return [
    ...new Set(
      answer
        .filter((p) => offeredId(p.index_id, offered) === undefined)
        .map((p) => String(p.index_id)),
    ),
  ];
}

export class CostModelUnusableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostModelUnusableError';
  }
}

/**
 * The stored cost model from a model's answer: only offered ids, one part per index, positive
 * parts summing to 1 (to DECIMALS places). Throws CostModelUnusableError when nothing usable is
 * left (every id unknown, or every part zero).
 */
export function settleCostModel(
  answer: readonly CostModelAnswerPart[],
  offered: ReadonlySet<number>,
): SettledCostModel {
  const adjustments: string[] = [];
  const unknown = unknownIndexIds(answer, offered);
  if (unknown.length > 0)
    adjustments.push(`Dropped index ids that do not exist: ${unknown.join(', ')}.`);

  const byId = new Map<number, number>();
  let invalid = 0;
  for (const item of answer) {
    const id = offeredId(item.index_id, offered);
    if (id === undefined) continue;
    if (!Number.isFinite(item.part) || item.part < 0) {
      invalid++;
      continue;
    }
    if (byId.has(id)) adjustments.push(`Merged repeated parts of index ${id}.`);
    byId.set(id, (byId.get(id) ?? 0) + item.part);
  }
  if (invalid > 0) adjustments.push(`Dropped ${invalid} part(s) that were not a positive number.`);
  for (const [id, part] of byId) if (part === 0) byId.delete(id);

  const total = [...byId.values()].reduce((sum, part) => sum + part, 0);
  if (byId.size === 0 || total <= 0)
    throw new CostModelUnusableError(
      unknown.length > 0
        ? `The cost model named only index ids that do not exist (${unknown.join(', ')}).`
        : 'The cost model has no part above zero.',
    );
  if (Math.abs(total - 1) > 1e-9)
    adjustments.push(`Parts summed to ${Number(total.toFixed(6))}; scaled to sum to 1.`);

  const scale = 10 ** DECIMALS;
  const parts = [...byId].map(([indexId, part]) => ({
    indexId,
    part: Math.round((part / total) * scale) / scale,
  }));
  parts.sort((a, b) => b.part - a.part || a.indexId - b.indexId);
  // Rounding can leave a few millionths over or under: the largest part takes them.
  const residue = Math.round((1 - parts.reduce((sum, p) => sum + p.part, 0)) * scale) / scale;
  parts[0].part = Math.round((parts[0].part + residue) * scale) / scale;
  const kept = parts.filter((p) => p.part > 0);
  return { parts: kept, adjustments };
}
