import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { Chatbot } from './chatbot.entity.js';

export type FlowExecution = 'parallel' | 'sequential';

/**
 * One flow of a chatbot (the seed's `flow_template_assignments`): its prompt template, how many
 * knowledge examples it retrieves (top-K), its model, the keywords that route a message to it, and
 * whether it runs alongside the others (parallel) or after them, reading their output (sequential).
 */
@Entity('flow_template_assignments')
export class FlowTemplateAssignment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  chatbotId!: string;

  @ManyToOne('Chatbot', 'flows', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chatbot_id' })
  chatbot?: Relation<Chatbot>;

  @Column({ type: 'text' })
  flowKey!: string;

  @Column({ type: 'integer', default: 0 })
  position!: number;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text' })
  promptTemplate!: string;

  @Column({ type: 'integer', default: 5 })
  topK!: number;

  @Column({ type: 'real', nullable: true })
  minScore!: number | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  /** Write-only: never returned unmasked (DESIGN.md 6). */
  @Column({ type: 'text', nullable: true })
  apiKey!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  keywords!: string[];

  @Column({ type: 'text', default: 'parallel' })
  execution!: FlowExecution;

  /** Runs with every message, whatever the routing chose (e.g. a follow-up suggestions flow). */
  @Column({ type: 'boolean', default: false })
  alwaysRun!: boolean;

  /** Answers messages that carry an image. */
  @Column({ type: 'boolean', default: false })
  vision!: boolean;

  @Column({ type: 'uuid', array: true, nullable: true })
  knowledgeBaseIds!: string[] | null;
}
