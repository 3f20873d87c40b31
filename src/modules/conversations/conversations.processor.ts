import { Injectable } from '@nestjs/common';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import { JobHandler, QueueProcessor } from '../../core/queue/job-handler.decorator.js';
import { AnswerGenerator } from './answer-generator.service.js';
import { ConversationsUpkeep, type CleanupReport } from './conversations-upkeep.service.js';
import { CONVERSATIONS_QUEUE, type ConversationJobs } from './conversations.jobs.js';

@QueueProcessor()
@Injectable()
export class ConversationsProcessor {
  constructor(
    private readonly generator: AnswerGenerator,
    private readonly upkeep: ConversationsUpkeep,
  ) {}

  @JobHandler(CONVERSATIONS_QUEUE, 'generate')
  generate(job: RunningJob<ConversationJobs['generate']>): Promise<string> {
    return this.generator.generate(job.data.streamingSessionId);
  }

  @JobHandler(CONVERSATIONS_QUEUE, 'cleanup')
  cleanup(_job: RunningJob<ConversationJobs['cleanup']>): Promise<CleanupReport> {
    return this.upkeep.cleanup();
  }
}
