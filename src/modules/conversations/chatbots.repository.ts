import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { OwnedRepository, isUuid, notFound, type Owner } from '../../core/auth/owner-scope.js';
import { Chatbot } from './entities/chatbot.entity.js';
import { FlowTemplateAssignment } from './entities/flow-template-assignment.entity.js';

/**
 * How long a chatbot read for a message is reused. Every message needs its chatbot and flows, and
 * on the embedded database every statement waits for the one before it: a burst of messages to
 * one chatbot reads it once. Changes made through this process apply at once; through another
 * instance, within this time.
 */
const MESSAGE_CACHE_MS = 5000;
const MESSAGE_CACHE_MAX = 1000;

/** Chatbots and their flows; a chatbot is named by its uuid or by its owner's slug for it. */
@Injectable()
export class ChatbotsRepository extends OwnedRepository<Chatbot> {
  private readonly forMessages = new Map<string, { chatbot: Promise<Chatbot>; at: number }>();

  constructor(
    @InjectRepository(Chatbot) private readonly chatbots: Repository<Chatbot>,
    @InjectRepository(FlowTemplateAssignment)
    private readonly flows: Repository<FlowTemplateAssignment>,
  ) {
    super(chatbots, 'Chatbot');
  }

  /** The owner's chatbot with this uuid or slug, with its flows in order; the shared 404 otherwise. */
  async getByIdOrSlug(idOrSlug: string, owner: Owner): Promise<Chatbot> {
    const query = this.ownedQuery(owner, 'chatbot')
      .leftJoinAndSelect('chatbot.flows', 'flow')
      .orderBy('flow.position', 'ASC');
    if (isUuid(idOrSlug)) query.andWhere('chatbot.id = :id', { id: idOrSlug });
    else query.andWhere('chatbot.slug = :slug', { slug: String(idOrSlug).toLowerCase() });
    const chatbot = await query.getOne();
    if (!chatbot) throw notFound(this.label);
    return chatbot;
  }

  /** getByIdOrSlug, reused for MESSAGE_CACHE_MS (concurrent callers share one read). */
  getForMessage(idOrSlug: string, owner: Owner): Promise<Chatbot> {
    const key = `${owner.id}:${idOrSlug}`;
    const cached = this.forMessages.get(key);
    if (cached && Date.now() - cached.at < MESSAGE_CACHE_MS) return cached.chatbot;
    if (this.forMessages.size >= MESSAGE_CACHE_MAX) this.forMessages.clear();
    const chatbot = this.getByIdOrSlug(idOrSlug, owner);
    this.forMessages.set(key, { chatbot, at: Date.now() });
    chatbot.catch(() => this.forMessages.delete(key));
    return chatbot;
  }

  /** Forgets cached chatbots after a change. */
  forget(): void {
    this.forMessages.clear();
  }

  /** For the generator, which has the id from its job (no owner). */
  findWithFlows(id: string): Promise<Chatbot | null> {
    return this.chatbots.findOne({
      where: { id },
      relations: { flows: true },
      order: { flows: { position: 'ASC' } },
    });
  }

  listWithFlows(owner: Owner): Promise<Chatbot[]> {
    return this.ownedQuery(owner, 'chatbot')
      .leftJoinAndSelect('chatbot.flows', 'flow')
      .orderBy('chatbot.createdAt', 'DESC')
      .addOrderBy('flow.position', 'ASC')
      .getMany();
  }

  slugTaken(owner: Owner, slug: string, exceptId?: string): Promise<boolean> {
    const query = this.ownedQuery(owner, 'chatbot').andWhere('chatbot.slug = :slug', { slug });
    if (exceptId) query.andWhere('chatbot.id <> :exceptId', { exceptId });
    return query.getExists();
  }

  /** Saves the chatbot and replaces its flows, in one transaction. */
  async saveWithFlows(
    chatbot: Chatbot,
    flows: Omit<FlowTemplateAssignment, 'id' | 'chatbotId' | 'chatbot'>[],
  ): Promise<Chatbot> {
    this.forget();
    const saved = await this.chatbots.manager.transaction(async (tx) => {
      const { flows: _previous, ...columns } = chatbot;
      const saved: Chatbot = await tx.save(Chatbot, columns as Chatbot);
      await tx.delete(FlowTemplateAssignment, { chatbotId: saved.id });
      saved.flows = await tx.save(
        FlowTemplateAssignment,
        flows.map((flow) => tx.create(FlowTemplateAssignment, { ...flow, chatbotId: saved.id })),
      );
      return saved;
    });
    // A read during the transaction may have cached the old version.
    this.forget();
    return saved;
  }
}
