import {
  Inject,
  Injectable,
  UnprocessableEntityException,
  type OnModuleInit,
} from '@nestjs/common';
import { isUuid, type Owner } from '../../core/auth/owner-scope.js';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { HealthService } from '../../core/health/health.service.js';
import { initialState, isFinished, transition } from '../../core/processing/processing-state.js';
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
import { StreamingSession } from './entities/streaming-session.entity.js';
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
    const chatbot = await this.chatbots.getForMessage(dto.chatbot_id, owner);
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
    const startNow = this.config.app.workers;
    const history = (dto.conversation_history ?? []).map((turn) => ({
      role: turn.role,
      content: turn.content,
    }));
    const created = await this.streams.createForMessage({
      ownerId: owner.id,
      chatbotId: chatbot.id,
      sessionId: dto.session_id && isUuid(dto.session_id) ? dto.session_id : null,
      title: dto.message_text.slice(0, 80),
      messageText: dto.message_text,
      configuration,
      flowType: rules?.primary ?? null,
      history,
      image: image ? { name: image.name, mime: image.mime, bytes: image.bytes } : null,
      startNow,
    });
    if (startNow) {
      const stream = Object.assign(new StreamingSession(), {
        id: created.id,
        ownerId: owner.id,
        conversationSessionId: created.sessionId,
        chatbotId: chatbot.id,
        messageText: dto.message_text,
        imageId: created.imageId,
        configuration,
        flowType: rules?.primary ?? null,
        answer: null,
        lastSequence: 0,
        stopRequested: false,
        heartbeatAt: created.createdAt,
        processing: transition(initialState(), ProcessingStatus.Processing, {
          at: created.createdAt,
        }),
        createdAt: created.createdAt,
        updatedAt: created.createdAt,
      });
      // A continued session's earlier turns are read by the generator; a new one's are known.
      this.generator.startLocal(stream, chatbot, created.continued ? null : history);
    } else {
      // An HTTP-only instance (WORKERS=false): a worker instance picks the answer up.
      await this.enqueue(created.id);
    }
    return {
      success: true,
      session_id: created.sessionId,
      streaming_session_id: created.id,
      flow_type: rules?.primary ?? 'auto',
      streaming_url: streamingUrl(created.id),
      ...(image && created.imageId
        ? { image: { id: created.imageId, mime: image.mime, size_bytes: image.bytes.length } }
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

  /** Throws the shared 404 unless the owner has this stream (no query while it is written here). */
  async checkStream(id: string, owner: Owner): Promise<void> {
    if (this.log.ownerOf(id) === owner.id) return;
    await this.streams.getOwned(id, owner);
  }

  /** seed 004: events after the cursor, the stream's status, the new cursor, and whether more come. */
  async events(id: string, owner: Owner, after: number): Promise<StreamEventsResponseDto> {
    // A stream this process writes is active, and its owner known, without a query.
    const status =
      this.log.ownerOf(id) === owner.id
        ? 'active'
        : sessionStatus((await this.streams.getOwned(id, owner)).processing.status);
    const limit = this.config.conversations.pollPageSize;
    const events = await this.log.read(id, after, limit + 1);
    const page = events.slice(0, limit);
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
