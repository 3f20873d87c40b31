import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ProcessingState } from '../../../core/processing/processing-state.embeddable.js';

/**
 * One answer being generated: the seed's `streaming_session_id`. Its events are in
 * streaming_events; `answer` is the tokens joined, written when it ends.
 */
@Entity('streaming_sessions')
export class StreamingSession {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'uuid' })
  conversationSessionId!: string;

  @Column({ type: 'uuid' })
  chatbotId!: string;

  @Column({ type: 'text' })
  messageText!: string;

  @Column({ type: 'uuid', nullable: true })
  imageId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  configuration!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  flowType!: string | null;

  @Column({ type: 'text', nullable: true })
  answer!: string | null;

  /** The highest sequence stored in streaming_events (written with the last batch). */
  @Column({ type: 'integer', default: 0 })
  lastSequence!: number;

  @Column({ type: 'boolean', default: false })
  stopRequested!: boolean;

  /** Refreshed every second by the process writing the answer; stale when that process died. */
  @Column({ type: 'timestamptz', nullable: true })
  heartbeatAt!: Date | null;

  @Column(() => ProcessingState, { prefix: 'processing' })
  processing!: ProcessingState;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
