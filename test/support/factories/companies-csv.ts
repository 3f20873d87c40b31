/** A CSV of companies, quoted as a spreadsheet program writes it. */
export function companiesCsv(headers: string[], rows: string[][]): Buffer {
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  return Buffer.from(
    [headers, ...rows].map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n',
  );
}
