import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface Citation {
  /** The knowledge entry's id (a FeedMe Q&A pair). */
  id: string;
  knowledge_base_id: string;
  question: string;
  source: string | null;
  score: number;
  flow: string;
}

/** A turn of a conversation: the user's message, or the assistant's stored answer. */
@Entity('conversation_messages')
export class ConversationMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'uuid', nullable: true })
  streamingSessionId!: string | null;

  @Column({ type: 'text' })
  role!: 'user' | 'assistant';

  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'text', nullable: true })
  flowType!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  citations!: Citation[];

  @Column({ type: 'uuid', nullable: true })
  imageId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
