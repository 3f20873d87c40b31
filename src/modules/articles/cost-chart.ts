import type { CostModelPartDto } from './dto/index.js';

/** One bar of the cost breakdown chart, laid out for the server-rendered SVG. */
export interface ChartBar {
  label: string;
  share: string;
  x: number;
  y: number;
  width: number;
  valueX: number;
  labelY: number;
  colour: string;
}

export interface CostChart {
  width: number;
  height: number;
  bars: ChartBar[];
}

const ROW = 30;
const BAR_X = 160;
const BAR_MAX = 300;
const COLOURS = ['#2f6fde', '#1f9d73', '#d98e04', '#c2410c', '#7c3aed', '#0e7490', '#be185d'];

/** Horizontal bars, largest part first, one row each; no script and no CDN involved. */
export function costChart(parts: readonly CostModelPartDto[]): CostChart {
  const largest = Math.max(...parts.map((p) => p.part), 0);
  return {
    width: BAR_X + BAR_MAX + 70,
    height: parts.length * ROW + 10,
    bars: parts.map((part, i) => {
      const width = largest > 0 ? Math.max(2, Math.round((part.part / largest) * BAR_MAX)) : 0;
      return {
        label: part.index_name,
        share: `${(part.part * 100).toFixed(1)}%`,
        x: BAR_X,
        y: i * ROW + 6,
        width,
        valueX: BAR_X + width + 6,
        labelY: i * ROW + 22,
        colour: COLOURS[i % COLOURS.length],
      };
    }),
  };
}
