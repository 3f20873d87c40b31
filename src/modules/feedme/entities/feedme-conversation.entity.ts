import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ProcessingState } from '../../../core/processing/processing-state.embeddable.js';
import type { TranscriptFormat } from '../transcripts/transcript-format.js';

/** One uploaded support transcript on its way to Q&A examples (seed 003). */
@Entity('feedme_conversations')
export class FeedmeConversation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'text' })
  title!: string;

  /** The stored upload (stored_files); null once housekeeping expired it. */
  @Column({ type: 'uuid', nullable: true })
  fileId!: string | null;

  @Column({ type: 'text' })
  originalFilename!: string;

  @Column({ type: 'integer' })
  fileSize!: number;

  @Column({ type: 'text' })
  sourceFormat!: TranscriptFormat;

  /**
   * The transcript as speaker turns ("Customer: ...", "Agent: ..."), read from the upload at once:
   * HTML is sanitised and mail quotes are stripped before this is written, so nothing downstream
   * (the model, the pages) ever sees the raw upload.
   */
  @Column({ type: 'text' })
  transcript!: string;

  /** For HTML uploads: the sanitised markup (no scripts, handlers or remote content). */
  @Column({ type: 'text', nullable: true })
  transcriptHtml!: string | null;

  @Column({ type: 'integer', default: 0 })
  turnCount!: number;

  /** Tags the export itself carried (Zendesk ticket tags, Intercom tags), given to every example. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  sourceTags!: string[];

  @Column({ type: 'boolean', default: true })
  autoProcess!: boolean;

  @Column({ type: 'text' })
  processingMode!: 'async' | 'sync';

  /** Bumped by reprocess: jobs of an older generation find nothing to do. */
  @Column({ type: 'integer', default: 1 })
  generation!: number;

  @Column({ type: 'integer', default: 0 })
  examplesExtracted!: number;

  /** Examples of this transcript merged into a near-duplicate that was already stored. */
  @Column({ type: 'integer', default: 0 })
  examplesMerged!: number;

  @Column(() => ProcessingState, { prefix: 'processing' })
  processing!: ProcessingState;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
