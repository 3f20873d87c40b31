import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { OwnedRepository, type Owner } from '../../core/auth/owner-scope.js';
import { ConversationImage } from './entities/conversation-image.entity.js';
import { ConversationMessage } from './entities/conversation-message.entity.js';
import { ConversationSession } from './entities/conversation-session.entity.js';

/** Conversation sessions with their history (messages) and the images sent in them. */
@Injectable()
export class ConversationSessionsRepository extends OwnedRepository<ConversationSession> {
  constructor(
    @InjectRepository(ConversationSession)
    private readonly sessions: Repository<ConversationSession>,
    @InjectRepository(ConversationMessage)
    private readonly messages: Repository<ConversationMessage>,
    @InjectRepository(ConversationImage) private readonly images: Repository<ConversationImage>,
  ) {
    super(sessions, 'Conversation session');
  }

  listForOwner(owner: Owner, chatbotId: string | undefined, limit: number) {
    return this.sessions.find({
      where: { ownerId: owner.id, ...(chatbotId ? { chatbotId } : {}) },
      order: { lastActivityAt: 'DESC' },
      take: limit,
    });
  }

  /** The session's messages, oldest first (the last `limit` when given). */
  async history(sessionId: string, limit?: number, before?: Date): Promise<ConversationMessage[]> {
    const rows = await this.messages.find({
      where: { sessionId, ...(before ? { createdAt: LessThan(before) } : {}) },
      order: { createdAt: 'DESC' },
      take: limit,
    });
    return rows.reverse();
  }

  image(id: string): Promise<ConversationImage | null> {
    return this.images.findOneBy({ id });
  }

  /** Sessions idle since before `cutoff`, deleted with everything in them (cascade), in batches. */
  async deleteIdleBefore(cutoff: Date, batch: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const result: [unknown[], number] = await this.sessions.query(
        `DELETE FROM conversation_sessions WHERE id IN (
           SELECT id FROM conversation_sessions WHERE last_activity_at < $1 LIMIT $2)`,
        [cutoff, batch],
      );
      const count = result[1];
      removed += count;
      if (count < batch) return removed;
    }
  }
}
