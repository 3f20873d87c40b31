/** One row as a format reader produces it, before headers are applied. */
export interface RawRow {
  /** CSV: the line the record starts on; XLSX: the row number in the sheet. */
  number: number;
  cells: string[];
}

/** A format's rows, read lazily in batches; `close` stops reading early and frees the file. */
export interface RowSource<D> {
  details: D;
  batches: AsyncGenerator<RawRow[]>;
  close(): Promise<void>;
}
