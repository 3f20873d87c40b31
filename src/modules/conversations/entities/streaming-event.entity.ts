import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type StreamEventName = 'start' | 'flow' | 'citation' | 'token' | 'error' | 'done';

/** One event of a streaming session; `sequence` is the SSE id and the polling cursor. */
@Entity('streaming_events')
export class StreamingEvent {
  @PrimaryColumn({ type: 'uuid' })
  streamingSessionId!: string;

  @PrimaryColumn({ type: 'integer' })
  sequence!: number;

  @Column({ type: 'text' })
  event!: StreamEventName;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
