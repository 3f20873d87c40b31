import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type VersionChangeKind = 'extracted' | 'edit' | 'rollback';

/** The full content of an example at one version: version 1 as extracted, then one per edit. */
@Entity('feedme_example_versions')
export class FeedmeExampleVersion {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  exampleId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  question!: string;

  @Column({ type: 'text' })
  answer!: string;

  @Column({ type: 'text' })
  context!: string;

  @Column({ type: 'text', array: true })
  tags!: string[];

  /** Which of question, answer, context, tags differ from the version before. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  changedFields!: string[];

  @Column({ type: 'text' })
  changeKind!: VersionChangeKind;

  @Column({ type: 'text', nullable: true })
  changeNote!: string | null;

  /** For a rollback: the version whose content it restored. */
  @Column({ type: 'integer', nullable: true })
  rolledBackTo!: number | null;

  /** Who made the change (null for the extraction). */
  @Column({ type: 'uuid', nullable: true })
  changedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
