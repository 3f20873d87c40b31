import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { OwnedRepository, type Owner } from '../../core/auth/owner-scope.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { FeedmeConversation } from './entities/feedme-conversation.entity.js';

@Injectable()
export class FeedmeConversationsRepository extends OwnedRepository<FeedmeConversation> {
  constructor(
    @InjectRepository(FeedmeConversation)
    private readonly conversations: Repository<FeedmeConversation>,
  ) {
    super(conversations, 'Conversation');
  }

  get entities(): Repository<FeedmeConversation> {
    return this.conversations;
  }

  /** For the processor, which gets ids from jobs (no owner). */
  findById(id: string): Promise<FeedmeConversation | null> {
    return this.conversations.findOneBy({ id });
  }

  listPage(
    owner: Owner,
    limit: number,
    offset: number,
    status?: ProcessingStatus,
  ): Promise<FeedmeConversation[]> {
    return this.conversations.find({
      where: { ownerId: owner.id, ...(status ? { processing: { status } } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  countPage(owner: Owner, status?: ProcessingStatus): Promise<number> {
    return this.conversations.count({
      where: { ownerId: owner.id, ...(status ? { processing: { status } } : {}) },
    });
  }

  /** Work the reconciler makes sure has a job: processing (queued or under way). */
  findInProgress(): Promise<Pick<FeedmeConversation, 'id' | 'generation'>[]> {
    return this.conversations.find({
      select: { id: true, generation: true },
      where: { processing: { status: In([ProcessingStatus.Processing]) } },
    });
  }

  titlesOf(ids: readonly string[]): Promise<Pick<FeedmeConversation, 'id' | 'title'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.conversations.find({
      select: { id: true, title: true },
      where: { id: In([...ids]) },
    });
  }
}
