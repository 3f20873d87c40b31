import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

const numeric = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** How a call ended. */
export type LlmCallOutcome =
  'ok' | 'truncated' | 'invalid-output' | 'quota' | 'rejected' | 'unavailable' | 'aborted';

/** One gateway call, as recorded for usage accounting (migration LlmCalls). */
@Entity('llm_calls')
export class LlmCall {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  ownerId!: string | null;

  @Column({ type: 'text', nullable: true })
  refKind!: string | null;

  @Column({ type: 'text', nullable: true })
  refId!: string | null;

  @Column({ type: 'text', nullable: true })
  parentKind!: string | null;

  @Column({ type: 'text', nullable: true })
  parentId!: string | null;

  @Column({ type: 'text' })
  task!: string;

  /** complete, complete-json, stream, embed. */
  @Column({ type: 'text' })
  operation!: string;

  @Column({ type: 'text' })
  provider!: 'openai' | 'offline';

  @Column({ type: 'text' })
  model!: string;

  /** Fingerprint of the API key used (never the key). */
  @Column({ type: 'text', nullable: true })
  keyId!: string | null;

  @Column({ type: 'text' })
  outcome!: LlmCallOutcome;

  @Column({ type: 'text', nullable: true })
  finishReason!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'integer' })
  promptTokens!: number;

  @Column({ type: 'integer' })
  completionTokens!: number;

  @Column({ type: 'integer' })
  totalTokens!: number;

  @Column({ type: 'boolean' })
  tokensEstimated!: boolean;

  @Column({ type: 'numeric', precision: 14, scale: 6, nullable: true, transformer: numeric })
  costUsd!: number | null;

  @Column({ type: 'integer' })
  latencyMs!: number;

  @Column({ type: 'integer' })
  queuedMs!: number;

  @Column({ type: 'integer', nullable: true })
  ttftMs!: number | null;
}
