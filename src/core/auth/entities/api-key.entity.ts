import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An API key. The key itself is shown once when it is created and never stored: only its SHA-256
 * (hex) and a short prefix that lets people tell their keys apart in a list.
 */
@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The user the key belongs to (and acts as). */
  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** e.g. `cvk_Ab3dE9xQ`: the first characters of the key, safe to show. */
  @Column({ type: 'text' })
  prefix!: string;

  @Column({ type: 'char', length: 64, select: false })
  keyHash!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
