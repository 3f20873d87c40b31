import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { PageSession } from './entities/page-session.entity.js';

export interface SessionLookup {
  userId: string;
  email: string;
  isAdmin: boolean;
  keyId: string;
  csrfToken: string;
  expiresAt: Date;
}

@Injectable()
export class PageSessionsRepository {
  constructor(@InjectRepository(PageSession) private readonly sessions: Repository<PageSession>) {}

  async insert(session: Omit<PageSession, 'createdAt'>): Promise<void> {
    await this.sessions.insert(session);
  }

  /** The live session with this id hash: not expired, its key not revoked. */
  async findLive(idHash: string): Promise<SessionLookup | null> {
    const rows: {
      user_id: string;
      email: string;
      is_admin: boolean;
      api_key_id: string;
      csrf_token: string;
      expires_at: Date;
    }[] = await this.sessions.query(
      `SELECT s.user_id, u.email, u.is_admin, s.api_key_id, s.csrf_token, s.expires_at
         FROM page_sessions s
         JOIN api_keys k ON k.id = s.api_key_id AND k.revoked_at IS NULL
         JOIN users u ON u.id = s.user_id
        WHERE s.id_hash = $1 AND s.expires_at > now()`,
      [idHash],
    );
    const row = rows[0];
    return row
      ? {
          userId: row.user_id,
          email: row.email,
          isAdmin: row.is_admin,
          keyId: row.api_key_id,
          csrfToken: row.csrf_token,
          expiresAt: new Date(row.expires_at),
        }
      : null;
  }

  async extend(idHash: string, expiresAt: Date): Promise<void> {
    await this.sessions.update({ idHash }, { expiresAt });
  }

  async delete(idHash: string): Promise<void> {
    await this.sessions.delete({ idHash });
  }

  async deleteExpired(): Promise<number> {
    const result = await this.sessions
      .createQueryBuilder()
      .delete()
      .where('expires_at <= now()')
      .execute();
    return result.affected ?? 0;
  }
}
