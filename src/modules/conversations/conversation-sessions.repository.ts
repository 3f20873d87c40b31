import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { OwnedRepository, isUuid, type Owner } from '../../core/auth/owner-scope.js';
import { ConversationImage } from './entities/conversation-image.entity.js';
import { ConversationMessage, type Citation } from './entities/conversation-message.entity.js';
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

  /**
   * The owner's session of this chatbot with this id, or null. A session of another chatbot is
   * not continued (its history would not fit).
   */
  findForChatbot(id: string, chatbotId: string, owner: Owner): Promise<ConversationSession | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.sessions.findOneBy({ id, chatbotId, ownerId: owner.id });
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

  /** The assistant's answer of a stream, once (a re-run finds the first one). */
  async addAnswer(
    sessionId: string,
    streamingSessionId: string,
    content: string,
    flowType: string | null,
    citations: Citation[],
  ): Promise<void> {
    await this.messages
      .createQueryBuilder()
      .insert()
      .values({ sessionId, streamingSessionId, role: 'assistant', content, flowType, citations })
      .orIgnore()
      .execute();
  }

  image(id: string): Promise<ConversationImage | null> {
    return this.images.findOneBy({ id });
  }

  get messageEntities(): Repository<ConversationMessage> {
    return this.messages;
  }

  get imageEntities(): Repository<ConversationImage> {
    return this.images;
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
