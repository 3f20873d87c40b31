import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import { ReconcilerService } from '../../core/queue/reconciler.service.js';
import { STALE_AFTER_MS } from './answer-generator.service.js';
import { ConversationSessionsRepository } from './conversation-sessions.repository.js';
import {
  CONVERSATIONS_QUEUE,
  conversationJobIds,
  type ConversationJobs,
} from './conversations.jobs.js';
import { StreamEventLog } from './streaming/stream-event-log.js';
import { StreamingSessionsRepository } from './streaming-sessions.repository.js';

export interface CleanupReport {
  sessions: number;
  events: number;
  errors: number;
}

const RECONCILE_BATCH = 500;
/** A stream younger than this may still be on its way into the queue: leave it alone. */
const RECONCILE_GRACE_MS = 5000;

/**
 * Crash safety and retention. The reconciler (boot, then every RECONCILE_EVERY_SECONDS) puts back
 * the `generate` job of every open stream that has none: a pending stream then starts, and a stream
 * left `processing` by a dead process ends with an error event (AnswerGenerator.generate). The
 * cleanup job deletes idle sessions with everything in them, and the events of old finished streams.
 */
@Injectable()
export class ConversationsUpkeep implements OnModuleInit {
  private readonly logger = new Logger('Conversations');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectJobQueue(CONVERSATIONS_QUEUE) private readonly queue: JobQueue<ConversationJobs>,
    private readonly reconciler: ReconcilerService,
    private readonly streams: StreamingSessionsRepository,
    private readonly sessions: ConversationSessionsRepository,
    private readonly log: StreamEventLog,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('conversations', () => this.reconcile());
    this.reconciler.register('conversations-cleanup-schedule', () => this.ensureScheduled());
  }

  async reconcile(): Promise<number> {
    const open = await this.streams.orphaned(RECONCILE_GRACE_MS, STALE_AFTER_MS, RECONCILE_BATCH);
    let enqueued = 0;
    for (const stream of open) {
      if (this.log.isLive(stream.id)) continue;
      const added = await this.queue.ensureQueued(
        'generate',
        { streamingSessionId: stream.id },
        conversationJobIds.generate(stream.id),
      );
      if (added) {
        enqueued++;
        if (stream.processing.status === ProcessingStatus.Processing)
          this.logger.warn(`stream ${stream.id} was left processing: ending it`);
      }
    }
    return enqueued;
  }

  async ensureScheduled(): Promise<number> {
    const every = this.config.conversations.cleanupEveryMs;
    const existing = await this.queue.bull.getRepeatableJobs();
    if (existing.some((job) => job.name === 'cleanup' && Number(job.every) === every)) return 0;
    for (const job of existing.filter((item) => item.name === 'cleanup'))
      await this.queue.bull.removeRepeatableByKey(job.key);
    await this.queue.bull.add(
      'cleanup',
      { trigger: 'schedule' } satisfies ConversationJobs['cleanup'],
      { repeat: { every }, removeOnComplete: true, removeOnFail: true },
    );
    return 0;
  }

  async cleanup(now = new Date()): Promise<CleanupReport> {
    const { retentionMs, eventRetentionMs } = this.config.conversations;
    const report: CleanupReport = {
      sessions: await this.sessions.deleteIdleBefore(new Date(now.getTime() - retentionMs), 500),
      events: await this.streams.deleteEventsFinishedBefore(
        new Date(now.getTime() - eventRetentionMs),
      ),
      errors: await this.streams.deleteErrorsBefore(new Date(now.getTime() - retentionMs)),
    };
    this.logger.log(
      `cleanup: ${report.sessions} idle session(s), ${report.events} old event(s), ${report.errors} old error(s)`,
    );
    return report;
  }
}
