import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One conversation with a chatbot: the seed's `session_id`; its history is its messages. */
@Entity('conversation_sessions')
export class ConversationSession {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'uuid' })
  chatbotId!: string;

  @Column({ type: 'text', default: 'active' })
  status!: 'active' | 'closed';

  @Column({ type: 'text', default: '' })
  title!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastActivityAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
