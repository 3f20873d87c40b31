import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/core/project-root.js';

export interface Figure {
  metric: string;
  value: number;
  unit: string;
  /** e.g. ">= 0.95", "< 5000"; omitted when the issue names no target. */
  target?: string;
}

/**
 * Prints one JSON object per figure (DESIGN.md 8) and writes the same lines to
 * bench/results/<bench>.jsonl, replacing the previous run's file.
 */
export class BenchReport {
  private readonly file: string;

  constructor(readonly bench: string) {
    const dir = join(projectRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${bench}.jsonl`);
    writeFileSync(this.file, '');
  }

  record(figure: Figure): boolean {
    const pass = figure.target === undefined ? undefined : meets(figure.value, figure.target);
    const line = JSON.stringify({
      bench: this.bench,
      metric: figure.metric,
      value: round(figure.value),
      unit: figure.unit,
      ...(figure.target !== undefined ? { target: figure.target, pass } : {}),
      machine: `${cpus().length} cores`,
      at: new Date().toISOString(),
    });
    process.stdout.write(`${line}\n`);
    appendFileSync(this.file, `${line}\n`);
    return pass ?? true;
  }
}

export function meets(value: number, target: string): boolean {
  const match = /^(<=|>=|<|>)\s*(-?[\d.]+)$/.exec(target.trim());
  if (!match) throw new Error(`unreadable target "${target}"`);
  const limit = Number(match[2]);
  switch (match[1]) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    default:
      return value >= limit;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value * 10) / 10 : Math.round(value * 1000) / 1000;
}
