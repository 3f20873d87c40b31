import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface FlowTiming {
  flow: string;
  execution: 'parallel' | 'sequential';
  model: string | null;
  provider: string | null;
  retrievalMs: number;
  hits: number;
  ttftMs: number | null;
  totalMs: number;
  tokens: number;
  outcome: 'completed' | 'failed' | 'stopped';
}

/** How one answer went (seed: conversation_processing_metrics). */
@Entity('conversation_processing_metrics')
export class ProcessingMetric {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  streamingSessionId!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'uuid' })
  chatbotId!: string;

  @Column({ type: 'text', nullable: true })
  flowType!: string | null;

  @Column({ type: 'text' })
  execution!: 'single' | 'parallel' | 'sequential' | 'mixed';

  @Column({ type: 'text' })
  routedBy!: 'rules' | 'model' | 'default' | 'request';

  @Column({ type: 'text' })
  outcome!: 'completed' | 'failed' | 'stopped';

  @Column({ type: 'integer', nullable: true })
  routingMs!: number | null;

  @Column({ type: 'integer', nullable: true, name: 'time_to_first_token_ms' })
  timeToFirstTokenMs!: number | null;

  @Column({ type: 'integer' })
  totalMs!: number;

  @Column({ type: 'integer', default: 0 })
  tokens!: number;

  @Column({ type: 'real', nullable: true })
  tokensPerSecond!: number | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  flows!: FlowTiming[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
