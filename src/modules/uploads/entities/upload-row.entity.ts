import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One data row of an upload's spreadsheet, as read, with the website it names or why none. */
@Entity('upload_rows')
export class UploadRow {
  @PrimaryColumn('uuid')
  uploadId!: string;

  /** 0-based order of the row in the sheet. */
  @PrimaryColumn('integer')
  rowIndex!: number;

  /** The line (CSV) or sheet row (XLSX) the user sees. */
  @Column({ type: 'integer' })
  rowNumber!: number;

  /** The cells in header order. */
  @Column({ type: 'jsonb' })
  cells!: string[];

  @Column({ type: 'uuid', nullable: true })
  websiteId!: string | null;

  @Column({ type: 'text', nullable: true })
  websiteSource!: string | null;

  @Column({ type: 'text', nullable: true })
  noWebsiteReason!: string | null;
}
