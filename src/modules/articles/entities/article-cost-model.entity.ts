import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One part of an article's cost model: a fraction of its cost that follows one cost index. */
@Entity('article_cost_models')
export class ArticleCostModel {
  @PrimaryColumn({ type: 'uuid' })
  articleId!: string;

  @PrimaryColumn({ type: 'integer' })
  indexId!: number;

  /** Fraction of the cost; an article's parts sum to 1. */
  @Column({ type: 'double precision' })
  part!: number;

  @Column({ type: 'integer' })
  position!: number;
}
