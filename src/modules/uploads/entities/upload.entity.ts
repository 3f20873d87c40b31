import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ProcessingState } from '../../../core/processing/processing-state.embeddable.js';

/** A spreadsheet of companies on its way to one message per website (seed 000). */
@Entity('uploads')
export class Upload {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  /** The stored file (stored_files); null once housekeeping expired it. */
  @Column({ type: 'uuid', nullable: true })
  fileId!: string | null;

  @Column({ type: 'text' })
  fileName!: string;

  @Column({ type: 'text' })
  fileFormat!: 'csv' | 'xlsx';

  /** Bumped by reprocess: jobs of an older generation find nothing to do. */
  @Column({ type: 'integer', default: 1 })
  generation!: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  headers!: string[];

  @Column({ type: 'text', nullable: true })
  websiteColumn!: string | null;

  /** The message instructions, with {{placeholders}} for row fields; editable per upload. */
  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'text', nullable: true })
  offer!: string | null;

  @Column({ type: 'integer', nullable: true })
  rowCount!: number | null;

  @Column({ type: 'integer', nullable: true })
  rowsWithoutWebsite!: number | null;

  /** Set once every row and website is stored (extraction is redone from scratch until then). */
  @Column({ type: 'timestamptz', nullable: true })
  extractedAt!: Date | null;

  @Column(() => ProcessingState, { prefix: 'processing' })
  processing!: ProcessingState;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
