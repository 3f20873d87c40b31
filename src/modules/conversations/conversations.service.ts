import {
  Inject,
  Injectable,
  UnprocessableEntityException,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Owner } from '../../core/auth/owner-scope.js';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { HealthService } from '../../core/health/health.service.js';
import { initialState, isFinished } from '../../core/processing/processing-state.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import { WebRegistry } from '../../core/web/web-registry.js';
import { AnswerGenerator } from './answer-generator.service.js';
import { ChatbotsRepository } from './chatbots.repository.js';
import { ConversationSessionsRepository } from './conversation-sessions.repository.js';
import {
  CONVERSATIONS_QUEUE,
  conversationJobIds,
  type ConversationJobs,
} from './conversations.jobs.js';
import type {
  ConversationHealthDto,
  ConversationSessionDto,
  ImageDataDto,
  ProcessMessageDto,
  ProcessMessageResponseDto,
  StopResponseDto,
  StreamEventsResponseDto,
  UploadImageDto,
  UploadImageResponseDto,
} from './dto/conversation.dto.js';
import { ConversationImage } from './entities/conversation-image.entity.js';
import { ConversationMessage } from './entities/conversation-message.entity.js';
import { ConversationSession } from './entities/conversation-session.entity.js';
import type { StreamingSession } from './entities/streaming-session.entity.js';
import { StreamingSession as StreamingSessionEntity } from './entities/streaming-session.entity.js';
import { FlowRoutingService } from './flows/flow-routing.service.js';
import { checkImage, type CheckedImage } from './image-data.js';
import { StreamEventLog } from './streaming/stream-event-log.js';
import { StreamingSessionsRepository } from './streaming-sessions.repository.js';

export type SessionStatus = StreamEventsResponseDto['session_status'];

/** The seed's `session_status` for a stream's processing status. */
export function sessionStatus(status: ProcessingStatus): SessionStatus {
  switch (status) {
    case ProcessingStatus.Completed:
      return 'completed';
    case ProcessingStatus.Failed:
      return 'failed';
    case ProcessingStatus.Cancelled:
      return 'stopped';
    default:
      return 'active';
  }
}

export function streamingUrl(id: string): string {
  return `/api/stream-events/${id}`;
}

/**
 * The seed's API: a message is recorded (session, user turn, streaming session) in one short
 * transaction and its answer queued, and the ids go back at once; the answer is written by
 * AnswerGenerator in the background and read here (polling) or through StreamEventsService (SSE).
 */
@Injectable()
export class ConversationsService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly chatbots: ChatbotsRepository,
    private readonly sessions: ConversationSessionsRepository,
    private readonly streams: StreamingSessionsRepository,
    private readonly routing: FlowRoutingService,
    private readonly generator: AnswerGenerator,
    private readonly log: StreamEventLog,
    private readonly web: WebRegistry,
    private readonly health: HealthService,
    @InjectJobQueue(CONVERSATIONS_QUEUE) private readonly jobs: JobQueue<ConversationJobs>,
  ) {}

  onModuleInit(): void {
    this.web.addNav({ label: 'Chat', href: '/chat', order: 50 });
    this.web.addRecentWork('conversations', async (limit, ownerId) => {
      if (!ownerId) return [];
      const list = await this.sessions.listForOwner({ id: ownerId }, undefined, limit);
      return list.map((session) => ({
        module: 'Chat',
        title: session.title || 'Conversation',
        status: session.status,
        href: `/chat?session=${session.id}`,
        updatedAt: session.lastActivityAt,
      }));
    });
    this.health.register('conversations', async () => ({
      status: 'up',
      generating: this.generator.activeCount,
      eventBacklog: this.log.backlog(),
      retrieval: this.generator.retrievalAvailable ? 'feedme' : 'none',
    }));
  }

  processMessage(owner: Owner, dto: ProcessMessageDto): Promise<ProcessMessageResponseDto> {
    return this.start(owner, dto, dto.image_data ?? null);
  }

  async uploadImage(owner: Owner, dto: UploadImageDto): Promise<UploadImageResponseDto> {
    const started = await this.start(owner, { ...dto, conversation_history: [] }, dto.image_data);
    return started as UploadImageResponseDto;
  }

  private async start(
    owner: Owner,
    dto: Omit<ProcessMessageDto, 'image_data'>,
    imageData: ImageDataDto | null,
  ): Promise<ProcessMessageResponseDto & { image?: UploadImageResponseDto['image'] }> {
    const chatbot = await this.chatbots.getByIdOrSlug(dto.chatbot_id, owner);
    if (chatbot.flows.length === 0)
      throw new UnprocessableEntityException('chatbot_id: this chatbot has no flows');
    let image: CheckedImage | null = null;
    if (imageData) {
      if (!chatbot.imageEnabled)
        throw new UnprocessableEntityException(
          `image_data: chatbot "${chatbot.slug}" does not take images (image_enabled is false)`,
        );
      image = checkImage(imageData, this.config.conversations.imageMaxBytes);
    }
    const configuration = dto.configuration ?? {};
    const requested = typeof configuration.flow === 'string' ? configuration.flow : undefined;
    if (requested && !chatbot.flows.some((flow) => flow.flowKey === requested))
      throw new UnprocessableEntityException(
        `configuration.flow: "${requested}" is not a flow of chatbot "${chatbot.slug}"`,
      );
    const rules = this.routing.routeByRules({
      message: dto.message_text,
      flows: chatbot.flows,
      defaultFlow: chatbot.defaultFlow,
      hasImage: image !== null,
      requested,
    });
    const existing = dto.session_id
      ? await this.sessions.findForChatbot(dto.session_id, chatbot.id, owner)
      : null;

    const { session, stream, storedImage } = await this.db.transaction(async (tx) => {
      const now = new Date();
      let session: ConversationSession;
      if (existing) {
        await tx.update(ConversationSession, { id: existing.id }, { lastActivityAt: now });
        session = existing;
      } else {
        session = await tx.save(
          tx.create(ConversationSession, {
            ownerId: owner.id,
            chatbotId: chatbot.id,
            title: dto.message_text.slice(0, 80),
            lastActivityAt: now,
          }),
        );
        const earlier = (dto.conversation_history ?? []).map((turn, i) =>
          tx.create(ConversationMessage, {
            sessionId: session.id,
            role: turn.role,
            content: turn.content,
            // Keep their order ahead of the new message.
            createdAt: new Date(now.getTime() - (dto.conversation_history!.length - i) * 1000),
          }),
        );
        if (earlier.length > 0) await tx.insert(ConversationMessage, earlier);
      }
      const storedImage = image
        ? await tx.save(
            tx.create(ConversationImage, {
              ownerId: owner.id,
              sessionId: session.id,
              name: image.name,
              mime: image.mime,
              sizeBytes: image.bytes.length,
              data: image.bytes,
            }),
          )
        : null;
      const stream = await tx.save(
        tx.create(StreamingSessionEntity, {
          ownerId: owner.id,
          conversationSessionId: session.id,
          chatbotId: chatbot.id,
          messageText: dto.message_text,
          imageId: storedImage?.id ?? null,
          configuration,
          flowType: rules?.primary ?? null,
          processing: initialState(),
        }),
      );
      await tx.insert(ConversationMessage, {
        sessionId: session.id,
        streamingSessionId: stream.id,
        role: 'user',
        content: dto.message_text,
        imageId: storedImage?.id ?? null,
        createdAt: stream.createdAt,
      });
      return { session, stream, storedImage };
    });
    await this.enqueue(stream.id);
    return {
      success: true,
      session_id: session.id,
      streaming_session_id: stream.id,
      flow_type: rules?.primary ?? 'auto',
      streaming_url: streamingUrl(stream.id),
      ...(storedImage
        ? {
            image: {
              id: storedImage.id,
              mime: storedImage.mime,
              size_bytes: storedImage.sizeBytes,
            },
          }
        : {}),
    };
  }

  enqueue(streamId: string): Promise<unknown> {
    return this.jobs.add(
      'generate',
      { streamingSessionId: streamId },
      { jobId: conversationJobIds.generate(streamId) },
    );
  }

  /** The owner's stream, or the shared 404. */
  getStream(id: string, owner: Owner): Promise<StreamingSession> {
    return this.streams.getOwned(id, owner);
  }

  /** seed 004: events after the cursor, the stream's status, the new cursor, and whether more come. */
  async events(id: string, owner: Owner, after: number): Promise<StreamEventsResponseDto> {
    const stream = await this.streams.getOwned(id, owner);
    const limit = this.config.conversations.pollPageSize;
    const events = await this.log.read(id, after, limit + 1);
    const page = events.slice(0, limit);
    const status = sessionStatus(stream.processing.status);
    return {
      events: page,
      session_status: status,
      last_event_id: page.length > 0 ? page[page.length - 1].id : after,
      has_more: events.length > limit || status === 'active',
    };
  }

  /**
   * Stops an answer: at once when this process writes it, within a second when another instance
   * does (it checks the flag). A finished answer is left as it is.
   */
  async stop(id: string, owner: Owner): Promise<StopResponseDto> {
    const stream = await this.streams.getOwned(id, owner);
    if (!isFinished(stream.processing)) {
      await this.streams.requestStop(id);
      this.generator.stopLocal(id);
    }
    return {
      success: true,
      streaming_session_id: id,
      session_status: sessionStatus(stream.processing.status),
    };
  }

  async session(id: string, owner: Owner): Promise<ConversationSessionDto> {
    const session = await this.sessions.getOwned(id, owner);
    const messages = await this.sessions.history(id);
    const lastUser = [...messages].reverse().find((m) => m.role === 'user' && m.streamingSessionId);
    let active: ConversationSessionDto['active_stream'] = null;
    if (lastUser?.streamingSessionId) {
      const stream = await this.streams.findById(lastUser.streamingSessionId);
      if (stream && !isFinished(stream.processing))
        active = { streaming_session_id: stream.id, streaming_url: streamingUrl(stream.id) };
    }
    return {
      id: session.id,
      chatbot_id: session.chatbotId,
      title: session.title,
      last_activity_at: session.lastActivityAt,
      messages: messages.map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        flow_type: m.flowType,
        streaming_session_id: m.streamingSessionId,
        citations: m.citations,
        created_at: m.createdAt,
      })),
      active_stream: active,
    };
  }

  async listSessions(owner: Owner, chatbotIdOrSlug?: string) {
    const chatbotId = chatbotIdOrSlug
      ? (await this.chatbots.getByIdOrSlug(chatbotIdOrSlug, owner)).id
      : undefined;
    const sessions = await this.sessions.listForOwner(owner, chatbotId, 100);
    return sessions.map((s) => ({
      id: s.id,
      chatbot_id: s.chatbotId,
      title: s.title,
      status: s.status,
      last_activity_at: s.lastActivityAt,
    }));
  }

  async healthReport(): Promise<ConversationHealthDto> {
    let database: ConversationHealthDto['database'] = 'connected';
    let active = 0;
    try {
      active = await this.streams.countActive();
    } catch {
      database = 'disconnected';
    }
    return {
      status: database === 'connected' ? 'healthy' : 'unhealthy',
      database,
      active_streams: active,
      timestamp: new Date().toISOString(),
    };
  }
}
