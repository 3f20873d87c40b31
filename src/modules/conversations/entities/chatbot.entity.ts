import {
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { FlowTemplateAssignment } from './flow-template-assignment.entity.js';

/** A chatbot: its language, whether it takes images, and its flows (seed 004). */
@Entity('chatbots')
export class Chatbot {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  /** The owner's short name for it: the seed's `chatbot_id` may be this or the uuid. */
  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: 'english' })
  language!: string;

  @Column({ type: 'boolean', default: false })
  imageEnabled!: boolean;

  /** The flow that answers when neither the rules nor the model decide. */
  @Column({ type: 'text', default: 'main' })
  defaultFlow!: string;

  @OneToMany(() => FlowTemplateAssignment, (flow) => flow.chatbot, { cascade: true })
  flows!: Relation<FlowTemplateAssignment>[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
