import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const CONVERSATION_ERROR_CATEGORY = 'CONVERSATION_PROCESSING_ERROR';

/** A failure with its context (seed: error_logs, category CONVERSATION_PROCESSING_ERROR). */
@Entity('conversation_error_logs')
export class ConversationErrorLog {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', default: CONVERSATION_ERROR_CATEGORY })
  category!: string;

  @Column({ type: 'uuid', nullable: true })
  ownerId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  streamingSessionId!: string | null;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'text', nullable: true })
  stack!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  context!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
