import type { CostModel } from '../llm-task-schemas.js';
import type { CostModelTaskInput } from '../llm.types.js';
import { stem, terms } from './text.js';

/**
 * Words that tie an article's text to a kind of cost index. An index matches a group when its
 * name shares a stem with the group; the article scores the group by how many of its words it
 * uses. Deliberately plain: the page says the split came from keywords, not from a model.
 */
const GROUPS: string[][] = [
  ['steel', 'stainless', 'iron', 'metal', 'alloy', 'sheet', 'weld', 'cast', 'forg'],
  ['aluminium', 'aluminum', 'alu', 'anodiz', 'anodis', 'extrusion'],
  ['copper', 'brass', 'bronze', 'wire', 'cable', 'winding'],
  [
    'plastic',
    'polymer',
    'resin',
    'abs',
    'pp',
    'pe',
    'pvc',
    'nylon',
    'polyamide',
    'mould',
    'mold',
    'injection',
  ],
  ['rubber', 'silicone', 'elastomer', 'seal', 'gasket'],
  ['wood', 'timber', 'oak', 'pine', 'plywood', 'mdf'],
  ['paper', 'cardboard', 'carton', 'packaging', 'box', 'label'],
  ['textile', 'cotton', 'fabric', 'polyester', 'wool', 'yarn', 'leather'],
  ['glass', 'ceramic', 'porcelain'],
  ['electronic', 'pcb', 'chip', 'semiconductor', 'sensor', 'battery', 'led', 'motor'],
  ['labour', 'labor', 'wage', 'assembly', 'assembl', 'manual', 'handmade', 'work', 'staff'],
  ['energy', 'electricity', 'power', 'gas', 'fuel', 'heat', 'oven', 'furnace'],
  ['transport', 'freight', 'logistic', 'shipping', 'delivery', 'truck'],
  ['chemical', 'paint', 'coating', 'lacquer', 'adhesive', 'glue', 'solvent'],
];

function stems(text: string): Set<string> {
  return new Set(terms(text));
}

function groupOf(word: string): number[] {
  const matches: number[] = [];
  GROUPS.forEach((group, i) => {
    if (group.some((k) => word === stem(k) || (k.length >= 4 && word.startsWith(k))))
      matches.push(i);
  });
  return matches;
}

/**
 * Splits the article's cost over the offered indices: each index scores by the article words it
 * (or its keyword group) shares; parts are proportional to the scores and sum to exactly 1. With
 * no match at all, the parts are equal (and that is what the numbers show).
 */
export function keywordCostModel(input: CostModelTaskInput): CostModel {
  if (input.indices.length === 0) {
    throw new Error('cost-model: no cost indices were offered');
  }
  const articleWords = [
    ...stems(`${input.articleName} ${input.description ?? ''} ${input.specificationText ?? ''}`),
  ];
  const articleGroups = new Map<number, number>();
  for (const word of articleWords) {
    for (const g of groupOf(word)) articleGroups.set(g, (articleGroups.get(g) ?? 0) + 1);
  }
  const scores = input.indices.map((index) => {
    const indexWords = [...stems(`${index.name} ${index.description ?? ''}`)];
    let score = 0;
    for (const word of indexWords) {
      if (articleWords.includes(word)) score += 2;
      for (const g of groupOf(word)) score += articleGroups.get(g) ?? 0;
    }
    return score;
  });
  const total = scores.reduce((a, b) => a + b, 0);
  const weights = total > 0 ? scores : scores.map(() => 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  const chosen = input.indices
    .map((index, i) => ({ index_id: index.id, weight: weights[i] }))
    .filter((entry) => entry.weight > 0);
  // Four decimals each, the rounding remainder on the largest part: the sum is exactly 1.
  const parts = chosen.map((entry) => ({
    index_id: entry.index_id,
    part: Math.round((entry.weight / sum) * 10_000) / 10_000,
  }));
  const remainder = Math.round((1 - parts.reduce((a, p) => a + p.part, 0)) * 10_000) / 10_000;
  const largest = parts.reduce((best, p) => (p.part > best.part ? p : best), parts[0]);
  largest.part = Math.round((largest.part + remainder) * 10_000) / 10_000;
  return { cost_models: parts };
}
