import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An image sent with a message (POST /api/upload-image), checked by its bytes. */
@Entity('conversation_images')
export class ConversationImage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  mime!: string;

  @Column({ type: 'integer' })
  sizeBytes!: number;

  @Column({ type: 'bytea', select: false })
  data!: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
