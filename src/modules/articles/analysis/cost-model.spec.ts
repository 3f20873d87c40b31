import { describe, expect, it } from '@jest/globals';
import { CostModelUnusableError, settleCostModel, unknownIndexIds } from './cost-model.js';

const OFFERED = new Set([1, 2, 3, 4]);
const sum = (parts: { part: number }[]) => parts.reduce((s, p) => s + p.part, 0);

describe('settling a cost model', () => {
  it('keeps a valid answer as it is', () => {
    const settled = settleCostModel(
      [
        { index_id: 1, part: 0.6 },
        { index_id: 3, part: 0.4 },
      ],
      OFFERED,
    );
    expect(settled.parts).toEqual([
      { indexId: 1, part: 0.6 },
      { indexId: 3, part: 0.4 },
    ]);
    expect(settled.adjustments).toEqual([]);
  });

  it('scales parts that sum to 1.3 so they sum to 1 (acceptance 3)', () => {
    const settled = settleCostModel(
      [
        { index_id: 1, part: 0.65 },
        { index_id: 2, part: 0.39 },
        { index_id: 4, part: 0.26 },
      ],
      OFFERED,
    );
    expect(sum(settled.parts)).toBeCloseTo(1, 9);
    expect(settled.parts.map((p) => p.part)).toEqual([0.5, 0.3, 0.2]);
    expect(settled.adjustments.join(' ')).toContain('summed to 1.3');
  });

  it('drops unknown index ids and renormalises the rest (acceptance 3)', () => {
    const settled = settleCostModel(
      [
        { index_id: 99, part: 0.5 },
        { index_id: '2', part: 0.25 },
        { index_id: 3, part: 0.25 },
      ],
      OFFERED,
    );
    expect(settled.parts).toEqual([
      { indexId: 2, part: 0.5 },
      { indexId: 3, part: 0.5 },
    ]);
    expect(settled.parts.every((p) => OFFERED.has(p.indexId))).toBe(true);
    expect(settled.adjustments[0]).toContain('99');
  });

  it('merges repeated indices and drops negative or zero parts', () => {
    const settled = settleCostModel(
      [
        { index_id: 1, part: 0.2 },
        { index_id: 1, part: 0.2 },
        { index_id: 2, part: -0.3 },
        { index_id: 3, part: 0 },
        { index_id: 4, part: 0.6 },
      ],
      OFFERED,
    );
    expect(settled.parts).toEqual([
      { indexId: 4, part: 0.6 },
      { indexId: 1, part: 0.4 },
    ]);
  });

  it('always sums to exactly 1 to six decimals, whatever the thirds', () => {
    const settled = settleCostModel(
      [
        { index_id: 1, part: 1 },
        { index_id: 2, part: 1 },
        { index_id: 3, part: 1 },
      ],
      OFFERED,
    );
    expect(Math.abs(sum(settled.parts) - 1)).toBeLessThan(1e-9);
  });

  it('refuses an answer with nothing usable', () => {
    expect(() => settleCostModel([{ index_id: 42, part: 1 }], OFFERED)).toThrow(
      CostModelUnusableError,
    );
    expect(() => settleCostModel([{ index_id: 1, part: 0 }], OFFERED)).toThrow(
      'no part above zero',
    );
  });

  it('lists unknown ids as the model wrote them', () => {
    expect(
      unknownIndexIds(
        [
          { index_id: 'steel', part: 0.5 },
          { index_id: 1, part: 0.2 },
          { index_id: 7, part: 0.3 },
          { index_id: 7, part: 0.1 },
        ],
        OFFERED,
      ),
    ).toEqual(['steel', '7']);
  });
});
