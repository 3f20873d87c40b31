/**
 * Spreadsheet values as the text a user sees in the cell: numbers without binary noise, dates as
 * ISO 8601, formulas as their cached result, rich text and hyperlinks as their text.
 */

/** Numbers as Excel shows them in General format: 15 significant digits, no float noise. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(Number(value.toPrecision(15)));
}

/**
 * A date the workbook stores without a time zone (exceljs hands it over as a UTC instant):
 * `2024-03-15` for a date, `2024-03-15T14:30:00` with a time, `14:30:00` for a time of day
 * (Excel's day zero), to the nearest second.
 */
export function dateText(value: Date): string {
  const time = value.getTime();
  if (Number.isNaN(time)) return '';
  const date = new Date(Math.round(time / 1000) * 1000);
  const iso = date.toISOString();
  const day = iso.slice(0, 10);
  const clock = iso.slice(11, 19);
  if (day === '1899-12-30' || day === '1899-12-31') return clock;
  return clock === '00:00:00' ? day : `${day}T${clock}`;
}

interface RichTextRun {
  text?: unknown;
}

/**
 * Any exceljs cell value as text. `isDate`: the cell's number format is a date format (exceljs
 * converts plain cells itself, not formula results); `date1904`: the workbook counts from 1904.
 */
export function cellValueText(value: unknown, isDate = false, date1904 = false): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return isDate ? dateText(excelSerialToDate(value, date1904)) : numberText(value);
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Date) return dateText(value);
  const object = value as Record<string, unknown>;
  if (Array.isArray(object.richText)) {
    return (object.richText as RichTextRun[]).map((run) => cellValueText(run.text)).join('');
  }
  if ('formula' in object || 'sharedFormula' in object) {
    // The value Excel or LibreOffice computed when it saved the file; never the formula.
    return cellValueText(object.result, isDate, date1904);
  }
  if ('hyperlink' in object) return cellValueText(object.text);
  if ('error' in object) return cellValueText(object.error);
  if ('text' in object) return cellValueText(object.text);
  return '';
}

/** Excel serials count days from 1899-12-30 (or 1904-01-01), as exceljs converts them. */
function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - (date1904 ? 24107 : 25569)) * 86_400_000));
}
