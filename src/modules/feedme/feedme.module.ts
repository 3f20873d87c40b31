import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KnowledgeSearch } from '../../core/knowledge/knowledge-search.js';
import { QueueModule } from '../../core/queue/queue.module.js';
import { FeedmeConversation } from './entities/feedme-conversation.entity.js';
import { FeedmeExampleVersion } from './entities/feedme-example-version.entity.js';
import { FeedmeExample } from './entities/feedme-example.entity.js';
import { QaExtractor } from './extraction/qa-extractor.js';
import { FeedmeConversationsRepository } from './feedme-conversations.repository.js';
import { FeedmeEnabledGuard } from './feedme-enabled.guard.js';
import { FeedmeExamplesRepository } from './feedme-examples.repository.js';
import { FeedmeHealthService } from './feedme-health.service.js';
import { FeedmePipeline } from './feedme-pipeline.service.js';
import { FeedmeSearchService } from './feedme-search.service.js';
import { FeedmeController } from './feedme.controller.js';
import { FeedmePagesController } from './feedme.pages.controller.js';
import { FEEDME_QUEUE } from './feedme.jobs.js';
import { FeedmeProcessor } from './feedme.processor.js';
import { FeedmeService } from './feedme.service.js';
import { TranscriptReader } from './transcripts/transcript-reader.js';

/**
 * Seed 003: support transcripts -> a versioned, searchable Q&A knowledge base on pgvector.
 * Global so that any module can inject `KnowledgeSearch` (src/core/knowledge) without importing
 * FeedMe: Conversations grounds its answers in it and never reads FeedMe's tables.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([FeedmeConversation, FeedmeExample, FeedmeExampleVersion]),
    QueueModule.forFeature(FEEDME_QUEUE),
  ],
  controllers: [FeedmeController, FeedmePagesController],
  providers: [
    FeedmeConversationsRepository,
    FeedmeExamplesRepository,
    TranscriptReader,
    QaExtractor,
    FeedmePipeline,
    FeedmeSearchService,
    { provide: KnowledgeSearch, useExisting: FeedmeSearchService },
    FeedmeService,
    FeedmeHealthService,
    FeedmeProcessor,
    FeedmeEnabledGuard,
  ],
  exports: [KnowledgeSearch, FeedmeSearchService],
})
export class FeedmeModule {}
