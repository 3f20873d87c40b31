import { describe, expect, it } from '@jest/globals';
import { costModelSchema } from '../llm-task-schemas.js';
import { keywordCostModel } from './cost-model.js';

const INDICES = [
  { id: 1, name: 'Steel' },
  { id: 2, name: 'Plastics (PP/ABS)' },
  { id: 3, name: 'Labour' },
  { id: 4, name: 'Energy' },
  { id: 'txt', name: 'Textiles' },
];

function sum(parts: { part: number }[]): number {
  return Math.round(parts.reduce((a, p) => a + p.part, 0) * 1e9) / 1e9;
}

describe('offline keyword cost model', () => {
  it('puts the weight on the indices the article talks about, summing to exactly 1', () => {
    const model = keywordCostModel({
      articleName: 'Stainless steel bracket',
      description: 'Laser-cut steel sheet, welded, assembled by hand',
      indices: INDICES,
    });
    expect(costModelSchema.parse(model)).toEqual(model);
    expect(sum(model.cost_models)).toBe(1);
    const ids = model.cost_models.map((p) => p.index_id);
    expect(ids).toContain(1);
    expect(ids).toContain(3);
    expect(ids).not.toContain('txt');
    const steel = model.cost_models.find((p) => p.index_id === 1)!;
    expect(steel.part).toBeGreaterThan(0.5);
  });

  it('uses only the offered index ids', () => {
    const model = keywordCostModel({
      articleName: 'Injection moulded ABS housing',
      indices: INDICES,
    });
    const offered = new Set(INDICES.map((i) => i.id));
    for (const part of model.cost_models) expect(offered.has(part.index_id)).toBe(true);
    expect(model.cost_models.find((p) => p.index_id === 2)?.part).toBeGreaterThan(0.5);
    expect(sum(model.cost_models)).toBe(1);
  });

  it('splits evenly when nothing matches, still summing to 1', () => {
    const model = keywordCostModel({
      articleName: 'Widget',
      indices: [
        { id: 'a', name: 'Alpha' },
        { id: 'b', name: 'Beta' },
        { id: 'c', name: 'Gamma' },
      ],
    });
    expect(model.cost_models.map((p) => p.index_id)).toEqual(['a', 'b', 'c']);
    expect(sum(model.cost_models)).toBe(1);
  });

  it('is deterministic', () => {
    const input = { articleName: 'Cotton bag with steel ring', indices: INDICES };
    expect(keywordCostModel(input)).toEqual(keywordCostModel(input));
  });

  it('refuses an empty list of indices with a clear message', () => {
    expect(() => keywordCostModel({ articleName: 'x', indices: [] })).toThrow(
      /no cost indices were offered/,
    );
  });
});
