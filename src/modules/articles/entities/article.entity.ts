import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { FileKind } from '../../../core/files/index.js';
import { ProcessingState } from '../../../core/processing/processing-state.embeddable.js';

/** A product specification on its way to a unit weight and a cost model (seed 001). */
@Entity('articles')
export class Article {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'text' })
  articleName!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** The stored specification (stored_files); null once housekeeping expired it. */
  @Column({ type: 'uuid', nullable: true })
  specificationFileId!: string | null;

  @Column({ type: 'text' })
  specificationFileName!: string;

  @Column({ type: 'text' })
  specificationKind!: FileKind;

  @Column({ type: 'uuid', nullable: true })
  drawingFileId!: string | null;

  @Column({ type: 'text', nullable: true })
  drawingFileName!: string | null;

  @Column({ type: 'text', nullable: true })
  drawingKind!: FileKind | null;

  /** Bumped by reprocess: jobs of an older run find nothing to do. */
  @Column({ type: 'integer', default: 1 })
  run!: number;

  /** Kilograms, as the seed stores it; null when unknown or flagged for review. */
  @Column({ type: 'double precision', nullable: true })
  unitWeight!: number | null;

  /** What the model answered, in grams, before any plausibility check. */
  @Column({ type: 'double precision', nullable: true })
  unitWeightReportedGrams!: number | null;

  /** Why the reported weight was not stored (negative, zero, above 100 t, unreadable). */
  @Column({ type: 'text', nullable: true })
  weightReview!: string | null;

  /** Why metadata extraction produced nothing (it does not stop cost models, as in the seed). */
  @Column({ type: 'text', nullable: true })
  metadataError!: string | null;

  /** Set when the weight step has finished (whatever its outcome); a re-run skips it. */
  @Column({ type: 'timestamptz', nullable: true })
  metadataDoneAt!: Date | null;

  /** Characters of text read from the specification, and how many were sent to the model. */
  @Column({ type: 'integer', nullable: true })
  specificationChars!: number | null;

  @Column({ type: 'integer', nullable: true })
  specificationCharsSent!: number | null;

  @Column({ type: 'text', nullable: true })
  weightProvider!: string | null;

  /** Ids of the cost indices the model was offered for the stored cost model. */
  @Column({ type: 'jsonb', nullable: true })
  costModelOffered!: number[] | null;

  /** What validation changed in the model's answer (dropped ids, renormalised parts...). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  costModelAdjustments!: string[];

  @Column({ type: 'text', nullable: true })
  costModelProvider!: string | null;

  @Column({ type: 'text', nullable: true })
  costModelModel!: string | null;

  @Column(() => ProcessingState, { prefix: 'processing' })
  processing!: ProcessingState;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
