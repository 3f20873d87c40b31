import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, type Repository } from 'typeorm';
import { OwnedRepository } from '../../core/auth/owner-scope.js';
import type { ProcessingState } from '../../core/processing/processing-state.embeddable.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { ConversationErrorLog } from './entities/conversation-error-log.entity.js';
import { ProcessingMetric } from './entities/processing-metric.entity.js';
import { StreamingSession } from './entities/streaming-session.entity.js';

const OPEN = [ProcessingStatus.Pending, ProcessingStatus.Processing];

/** Streaming sessions (one per answer), their metrics and the error log. */
@Injectable()
export class StreamingSessionsRepository extends OwnedRepository<StreamingSession> {
  constructor(
    @InjectRepository(StreamingSession) private readonly streams: Repository<StreamingSession>,
    @InjectRepository(ProcessingMetric) private readonly metrics: Repository<ProcessingMetric>,
    @InjectRepository(ConversationErrorLog)
    private readonly errors: Repository<ConversationErrorLog>,
  ) {
    super(streams, 'Streaming session');
  }

  /** For the generator and the reconciler, which have ids from jobs (no owner). */
  findById(id: string): Promise<StreamingSession | null> {
    return this.streams.findOneBy({ id });
  }

  /**
   * Moves the stream from `from` to `next` only if it is still in `from`: two workers (or a stop
   * and a finish) cannot both win. False when someone else moved it first.
   */
  async moveIf(
    id: string,
    from: ProcessingStatus,
    next: ProcessingState,
    extra: Partial<Pick<StreamingSession, 'answer' | 'lastSequence' | 'flowType'>> = {},
  ): Promise<boolean> {
    const result = await this.streams.update(
      { id, processing: { status: from } },
      { processing: next, ...extra },
    );
    return (result.affected ?? 0) > 0;
  }

  async setLastSequence(id: string, lastSequence: number): Promise<void> {
    await this.streams.update({ id }, { lastSequence });
  }

  async requestStop(id: string): Promise<void> {
    await this.streams.update({ id }, { stopRequested: true });
  }

  /** Of these streams, the ones someone asked to stop (one query for all of a process's streams). */
  async stopRequested(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.streams.find({
      select: { id: true },
      where: { id: In([...ids]), stopRequested: true },
    });
    return rows.map((row) => row.id);
  }

  /** Open streams created before `before` (the reconciler: pending ones lost their job). */
  openBefore(before: Date, limit: number): Promise<StreamingSession[]> {
    return this.streams.find({
      where: { processing: { status: In(OPEN) }, createdAt: LessThan(before) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }

  /** Pending or processing, across every owner (GET /api/conversation-health). */
  countActive(): Promise<number> {
    return this.streams.count({ where: { processing: { status: In(OPEN) } } });
  }

  async recordMetric(metric: Omit<ProcessingMetric, 'id' | 'createdAt'>): Promise<void> {
    await this.metrics
      .createQueryBuilder()
      .insert()
      .values(metric)
      .orIgnore() // one row per answer, also when a job runs twice
      .execute();
  }

  metricFor(streamingSessionId: string): Promise<ProcessingMetric | null> {
    return this.metrics.findOneBy({ streamingSessionId });
  }

  async recordError(entry: Omit<ConversationErrorLog, 'id' | 'createdAt' | 'category'>) {
    await this.errors.save(this.errors.create(entry));
  }

  errorsFor(streamingSessionId: string): Promise<ConversationErrorLog[]> {
    return this.errors.find({ where: { streamingSessionId }, order: { createdAt: 'ASC' } });
  }

  /** Events of streams that ended before `cutoff` (the answers stay in conversation_messages). */
  async deleteEventsFinishedBefore(cutoff: Date): Promise<number> {
    const result: [unknown[], number] = await this.streams.query(
      `DELETE FROM streaming_events e USING streaming_sessions s
        WHERE e.streaming_session_id = s.id AND s.processing_completed_at < $1`,
      [cutoff],
    );
    return result[1];
  }

  async deleteErrorsBefore(cutoff: Date): Promise<number> {
    const result = await this.errors.delete({ createdAt: LessThan(cutoff) });
    return result.affected ?? 0;
  }
}
