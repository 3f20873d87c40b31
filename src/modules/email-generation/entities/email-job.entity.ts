import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ProcessingState } from '../../../core/processing/processing-state.embeddable.js';
import type { ColumnMap } from '../lead-columns.js';

/** numeric/bigint columns arrive as strings from pg. */
const decimal = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * One lead file on its way to one email per row (seed 002). The counters (done, failed, tokens,
 * cost) are moved in the same statement that stores each batch of results, so a status read is
 * one row, not a count over 18,000.
 */
@Entity('email_jobs')
export class EmailJob {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'uuid', nullable: true })
  fileId!: string | null;

  @Column({ type: 'text' })
  fileName!: string;

  @Column({ type: 'text' })
  fileFormat!: 'csv' | 'xlsx';

  @Column({ type: 'jsonb', default: () => "'[]'" })
  headers!: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  columnMap!: ColumnMap;

  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'text', nullable: true })
  offer!: string | null;

  @Column({ type: 'text' })
  senderRole!: string;

  /** The template version; a re-run bumps it and jobs of an older version find nothing to do. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ type: 'integer', default: 0 })
  rowCount!: number;

  @Column({ type: 'integer', default: 0 })
  doneCount!: number;

  @Column({ type: 'integer', default: 0 })
  failedCount!: number;

  @Column({ type: 'bigint', default: 0, transformer: decimal })
  promptTokens!: number;

  @Column({ type: 'bigint', default: 0, transformer: decimal })
  completionTokens!: number;

  @Column({ type: 'numeric', default: 0, transformer: decimal })
  costUsd!: number;

  @Column({ type: 'numeric', nullable: true, transformer: decimal })
  estimatedCostUsd!: number | null;

  @Column({ type: 'numeric', nullable: true, transformer: decimal })
  budgetUsd!: number | null;

  /** Why the job paused: quota, budget, or by hand. */
  @Column({ type: 'text', nullable: true })
  pauseReason!: string | null;

  /** A quota stop with a known reset: the job resumes itself then. */
  @Column({ type: 'timestamptz', nullable: true })
  resumeAt!: Date | null;

  /** When every row of the current version had its queue job. */
  @Column({ type: 'timestamptz', nullable: true })
  queuedAt!: Date | null;

  @Column(() => ProcessingState, { prefix: 'processing' })
  processing!: ProcessingState;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
