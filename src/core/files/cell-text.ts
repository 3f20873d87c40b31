/** Spreadsheet values as the text a user sees: numbers without binary noise, dates as ISO 8601. */

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
