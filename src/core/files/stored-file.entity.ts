import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A file a user uploaded, stored under STORAGE_DIR/<owner>/<uuid>; the name is metadata only. */
@Entity('stored_files')
export class StoredFile {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  ownerId!: string | null;

  /** Which intake route took it (spreadsheet, transcript, specification, image). */
  @Column({ type: 'text' })
  purpose!: string;

  /** Relative to STORAGE_DIR. */
  @Column({ type: 'text', unique: true })
  storagePath!: string;

  /** Sanitized; never used to build a path. */
  @Column({ type: 'text' })
  originalName!: string;

  @Column({ type: 'text' })
  mediaType!: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes!: number;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
