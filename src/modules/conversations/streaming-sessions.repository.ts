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

  /**
   * Records a message in ONE statement (PGlite runs one statement at a time, so the request path
   * counts statements): the session (continued when `sessionId` is the owner's session of this
   * chatbot, new otherwise, seeded with `history`), the image, the streaming session (already
   * `processing` when this process starts it at once), and the user's turn.
   */
  async createForMessage(input: {
    ownerId: string;
    chatbotId: string;
    sessionId: string | null;
    title: string;
    messageText: string;
    configuration: Record<string, unknown>;
    flowType: string | null;
    history: { role: string; content: string }[];
    image: { name: string; mime: string; bytes: Buffer } | null;
    startNow: boolean;
  }): Promise<{
    id: string;
    sessionId: string;
    imageId: string | null;
    createdAt: Date;
    continued: boolean;
  }> {
    const history = input.history.map((turn, i) => ({
      role: turn.role,
      content: turn.content,
      back: input.history.length - i,
    }));
    const [row] = await this.streams.query<
      {
        id: string;
        session_id: string;
        image_id: string | null;
        created_at: Date;
        continued: boolean;
      }[]
    >(
      `WITH touched AS (
         UPDATE conversation_sessions SET last_activity_at = now()
          WHERE id = $3::uuid AND owner_id = $1 AND chatbot_id = $2 RETURNING id
       ), fresh AS (
         INSERT INTO conversation_sessions (owner_id, chatbot_id, title)
         SELECT $1, $2, $4 WHERE NOT EXISTS (SELECT 1 FROM touched) RETURNING id
       ), sid AS (
         SELECT id FROM touched UNION ALL SELECT id FROM fresh
       ), earlier AS (
         INSERT INTO conversation_messages (session_id, role, content, created_at)
         SELECT (SELECT id FROM fresh), h.role, h.content, now() - make_interval(secs => h.back)
           FROM jsonb_to_recordset($5::jsonb) AS h(role text, content text, back int)
          WHERE EXISTS (SELECT 1 FROM fresh)
       ), img AS (
         INSERT INTO conversation_images (owner_id, session_id, name, mime, size_bytes, data)
         SELECT $1, (SELECT id FROM sid), $9, $10, octet_length($11::bytea), $11::bytea
          WHERE $9::text IS NOT NULL RETURNING id
       ), st AS (
         INSERT INTO streaming_sessions (owner_id, conversation_session_id, chatbot_id, message_text,
                image_id, configuration, flow_type, processing_status, processing_started_at, heartbeat_at)
         SELECT $1, (SELECT id FROM sid), $2, $6, (SELECT id FROM img), $7::jsonb, $8,
                CASE WHEN $12 THEN 'processing' ELSE 'pending' END,
                CASE WHEN $12 THEN now() END, CASE WHEN $12 THEN now() END
         RETURNING id, conversation_session_id, image_id, created_at
       ), turn AS (
         INSERT INTO conversation_messages (session_id, streaming_session_id, role, content, image_id, created_at)
         SELECT conversation_session_id, id, 'user', $6, image_id, created_at FROM st
       )
       SELECT st.id, st.conversation_session_id AS session_id, st.image_id, st.created_at,
              EXISTS (SELECT 1 FROM touched) AS continued
         FROM st`,
      [
        input.ownerId,
        input.chatbotId,
        input.sessionId,
        input.title,
        JSON.stringify(history),
        input.messageText,
        JSON.stringify(input.configuration),
        input.flowType,
        input.image?.name ?? null,
        input.image?.mime ?? null,
        input.image?.bytes ?? null,
        input.startNow,
      ],
    );
    return {
      id: row.id,
      sessionId: row.session_id,
      imageId: row.image_id,
      createdAt: new Date(row.created_at),
      continued: row.continued,
    };
  }

  /**
   * Ends an answer in ONE statement: the stream's final state and answer (only if it is still
   * processing), the assistant's turn (completed or stopped answers) and the answer's metrics.
   * False when the stream had already been ended by someone else.
   */
  async finishAnswer(input: {
    id: string;
    state: ProcessingState;
    answer: string;
    lastSequence: number;
    flowType: string | null;
    keepAnswer: boolean;
    citations: unknown[];
    metric: Omit<
      ProcessingMetric,
      'id' | 'createdAt' | 'streamingSessionId' | 'ownerId' | 'chatbotId'
    >;
  }): Promise<boolean> {
    const m = input.metric;
    const rows = await this.streams.query<{ id: string }[]>(
      `WITH st AS (
         UPDATE streaming_sessions
            SET processing_status = $2, processing_error = $3, processing_completed_at = $4,
                answer = $5, last_sequence = $6, flow_type = coalesce($7, flow_type),
                heartbeat_at = NULL, updated_at = now()
          WHERE id = $1 AND processing_status = 'processing'
         RETURNING id, owner_id, chatbot_id, conversation_session_id
       ), turn AS (
         INSERT INTO conversation_messages (session_id, streaming_session_id, role, content, flow_type, citations)
         SELECT conversation_session_id, id, 'assistant', $5, $7, $9::jsonb FROM st WHERE $8
         ON CONFLICT DO NOTHING
       ), metric AS (
         INSERT INTO conversation_processing_metrics (streaming_session_id, owner_id, chatbot_id, flow_type,
                execution, routed_by, outcome, routing_ms, time_to_first_token_ms, total_ms, tokens,
                tokens_per_second, flows)
         SELECT id, owner_id, chatbot_id, $7, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb FROM st
         ON CONFLICT DO NOTHING
       )
       SELECT id FROM st`,
      [
        input.id,
        input.state.status,
        input.state.error,
        input.state.completedAt,
        input.answer,
        input.lastSequence,
        input.flowType,
        input.keepAnswer,
        JSON.stringify(input.citations),
        m.execution,
        m.routedBy,
        m.outcome,
        m.routingMs,
        m.timeToFirstTokenMs,
        m.totalMs,
        m.tokens,
        m.tokensPerSecond,
        JSON.stringify(m.flows),
      ],
    );
    return rows.length > 0;
  }

  /**
   * Marks this process's streams alive (one statement a second for all of them) and returns the
   * ones someone asked to stop, through any instance.
   */
  async heartbeat(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.streams.query<{ id: string }[]>(
      `UPDATE streaming_sessions SET heartbeat_at = now()
        WHERE id = ANY($1::uuid[]) AND processing_status = 'processing'
        RETURNING id, stop_requested`,
      [[...ids]],
    );
    return (rows as unknown as { id: string; stop_requested: boolean }[])
      .filter((row) => row.stop_requested)
      .map((row) => row.id);
  }

  /** Open streams nobody is writing: pending past the grace, or processing with a stale heartbeat. */
  orphaned(graceMs: number, staleMs: number, limit: number): Promise<StreamingSession[]> {
    return this.streams
      .createQueryBuilder('s')
      .where(
        `(s.processing_status = 'pending' AND s.created_at < now() - make_interval(secs => :grace))
         OR (s.processing_status = 'processing'
             AND coalesce(s.heartbeat_at, s.processing_started_at, s.created_at) < now() - make_interval(secs => :stale))`,
        { grace: graceMs / 1000, stale: staleMs / 1000 },
      )
      .orderBy('s.created_at', 'ASC')
      .take(limit)
      .getMany();
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
