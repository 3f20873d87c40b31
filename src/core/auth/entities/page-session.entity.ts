import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A browser signed in with an API key. The cookie carries a random session id; only its SHA-256 is
 * stored. The session lives only as long as the key it was opened with: revoking the key ends it.
 */
@Entity('page_sessions')
export class PageSession {
  @PrimaryColumn({ type: 'char', length: 64 })
  idHash!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'uuid' })
  apiKeyId!: string;

  /** Synchronizer token every page form (and page script) sends back on non-GET requests. */
  @Column({ type: 'text' })
  csrfToken!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
