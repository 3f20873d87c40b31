import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

/** One reason behind a quality score, e.g. `{ code: 'short_answer', effect: -0.2, ... }`. */
export interface QualityReason {
  code: string;
  effect: number;
  detail: string;
}

/**
 * A question/answer pair from a transcript. Its `embedding` (vector(1536), HNSW) and `search_text`
 * (generated tsvector) columns are read and written by FeedmeExamplesRepository in SQL only.
 */
@Entity('feedme_examples')
export class FeedmeExample {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'uuid' })
  conversationId!: string;

  @Column({ type: 'integer' })
  generation!: number;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  question!: string;

  @Column({ type: 'text' })
  answer!: string;

  @Column({ type: 'text', default: '' })
  context!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  /** The extractor's confidence (0..1). */
  @Column({ type: 'real' })
  confidence!: number;

  @Column({ type: 'real' })
  qualityScore!: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  qualityReasons!: QualityReason[];

  /** Below FEEDME_QUALITY_THRESHOLD: kept, shown as such, left out of search unless approved. */
  @Column({ type: 'boolean', default: false })
  lowQuality!: boolean;

  @Column({ type: 'text', default: 'pending' })
  reviewStatus!: ReviewStatus;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** How often a search returned it. */
  @Column({ type: 'integer', default: 0 })
  usageCount!: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  embeddingModel!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
