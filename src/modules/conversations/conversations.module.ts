import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QueueModule } from '../../core/queue/queue.module.js';
import { AnswerGenerator } from './answer-generator.service.js';
import { ChatbotsController } from './chatbots.controller.js';
import { ChatbotsRepository } from './chatbots.repository.js';
import { ChatbotsService } from './chatbots.service.js';
import { ConversationSessionsRepository } from './conversation-sessions.repository.js';
import { ConversationsUpkeep } from './conversations-upkeep.service.js';
import { ConversationsController } from './conversations.controller.js';
import { CONVERSATIONS_QUEUE } from './conversations.jobs.js';
import { ConversationsPagesController } from './conversations.pages.controller.js';
import { ConversationsProcessor } from './conversations.processor.js';
import { ConversationsService } from './conversations.service.js';
import { Chatbot } from './entities/chatbot.entity.js';
import { ConversationErrorLog } from './entities/conversation-error-log.entity.js';
import { ConversationImage } from './entities/conversation-image.entity.js';
import { ConversationMessage } from './entities/conversation-message.entity.js';
import { ConversationSession } from './entities/conversation-session.entity.js';
import { FlowTemplateAssignment } from './entities/flow-template-assignment.entity.js';
import { ProcessingMetric } from './entities/processing-metric.entity.js';
import { StreamingEvent } from './entities/streaming-event.entity.js';
import { StreamingSession } from './entities/streaming-session.entity.js';
import { FlowRoutingService } from './flows/flow-routing.service.js';
import { StreamEventLog } from './streaming/stream-event-log.js';
import { StreamEventsService } from './streaming/stream-events.service.js';
import { StreamingSessionsRepository } from './streaming-sessions.repository.js';

/**
 * Seed 004: chat messages in, streamed answers out, stored as resumable events. Retrieval asks
 * the global `KnowledgeSearch` (FeedMe provides it); without it, answers are written unretrieved.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Chatbot,
      FlowTemplateAssignment,
      ConversationSession,
      ConversationMessage,
      ConversationImage,
      StreamingSession,
      StreamingEvent,
      ProcessingMetric,
      ConversationErrorLog,
    ]),
    QueueModule.forFeature(CONVERSATIONS_QUEUE),
  ],
  controllers: [ConversationsController, ChatbotsController, ConversationsPagesController],
  providers: [
    ChatbotsRepository,
    ConversationSessionsRepository,
    StreamingSessionsRepository,
    StreamEventLog,
    StreamEventsService,
    FlowRoutingService,
    AnswerGenerator,
    ChatbotsService,
    ConversationsService,
    ConversationsUpkeep,
    ConversationsProcessor,
  ],
  exports: [ConversationsService, ChatbotsService],
})
export class ConversationsModule {}
