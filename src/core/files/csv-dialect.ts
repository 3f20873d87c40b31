import { parse } from 'csv-parse/sync';

export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

export interface CsvDialect {
  delimiter: CsvDelimiter;
  /** Fields per record that most sampled records have. */
  fields: number;
}

const SAMPLE_RECORDS = 50;
/** Enough text for SAMPLE_RECORDS ordinary records; csv-parse reads all it is given. */
const SNIFF_CHARS = 16 * 1024;

/**
 * Picks the delimiter under which the sample parses into the most consistent records with more
 * than one field. Each candidate is parsed for real (quotes respected), so a `;` inside quoted
 * text does not vote for `;`, and a candidate that breaks the quoting drops out. Without a clear
 * winner (a one-column file), the comma.
 */
export function sniffCsvDialect(sample: string, complete: boolean): CsvDialect {
  const whole = complete && sample.length <= SNIFF_CHARS;
  const text = whole ? sample : cutAtLastNewline(sample.slice(0, SNIFF_CHARS));
  let best: (CsvDialect & { consistency: number }) | undefined;
  for (const strict of [true, false]) {
    for (const delimiter of CSV_DELIMITERS) {
      const counts = sampleFieldCounts(text, delimiter, strict, whole);
      if (!counts || counts.length === 0) continue;
      const fields = mode(counts);
      if (fields < 2) continue;
      const consistency = counts.filter((count) => count === fields).length / counts.length;
      if (
        !best ||
        consistency > best.consistency + 0.001 ||
        (Math.abs(consistency - best.consistency) <= 0.001 && fields > best.fields)
      ) {
        best = { delimiter, fields, consistency };
      }
    }
    if (best) break;
  }
  return best ? { delimiter: best.delimiter, fields: best.fields } : { delimiter: ',', fields: 1 };
}

/**
 * Whether a sample of text parses as CSV under the dialect; the reason when it does not. A sample
 * cut off inside a quoted field is not held against the file.
 */
export function checkCsvSample(
  sample: string,
  complete: boolean,
  delimiter: CsvDelimiter,
): { ok: true; records: number } | { ok: false; reason: string } {
  const text = complete ? sample : cutAtLastNewline(sample);
  try {
    const records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
    }) as string[][];
    if (records.length === 0) return { ok: false, reason: 'it holds no records' };
    return { ok: true, records: records.length };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!complete && code === 'CSV_QUOTE_NOT_CLOSED') return { ok: true, records: 1 };
    return { ok: false, reason: (error as Error).message };
  }
}

function sampleFieldCounts(
  text: string,
  delimiter: CsvDelimiter,
  strict: boolean,
  complete: boolean,
): number[] | undefined {
  try {
    const records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: !strict,
      skip_empty_lines: true,
      bom: true,
      to: SAMPLE_RECORDS,
    }) as string[][];
    return records.map((record) => record.length);
  } catch (error) {
    if (!complete && (error as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED') return [];
    return undefined;
  }
}

function cutAtLastNewline(sample: string): string {
  const cut = sample.lastIndexOf('\n');
  return cut > 0 ? sample.slice(0, cut + 1) : sample;
}

function mode(values: number[]): number {
  const counts = new Map<number, number>();
  let best = values[0];
  for (const value of values) {
    const count = (counts.get(value) ?? 0) + 1;
    counts.set(value, count);
    if (count > (counts.get(best) ?? 0)) best = value;
  }
  return best;
}
