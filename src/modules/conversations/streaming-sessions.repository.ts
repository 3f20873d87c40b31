import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, type Repository } from 'typeorm';
import { OwnedRepository } from '../../core/auth/owner-scope.js';
import type { ProcessingState } from '../../core/processing/processing-state.embeddable.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { ConversationErrorLog } from './entities/conversation-error-log.entity.js';
import { ProcessingMetric } from './entities/processing-metric.entity.js';
import { StreamingSession } from './entities/streaming-session.entity.js';

const OPEN = [ProcessingStatus.Pending, ProcessingStatus.Processing];
/** Messages written by one statement at most (one jsonb parameter, so no bind-parameter limit). */
const MESSAGE_BATCH = 200;

export interface NewMessage {
  ownerId: string;
  chatbotId: string;
  /** A session to continue (must be the owner's, of this chatbot); a new one otherwise. */
  sessionId: string | null;
  title: string;
  messageText: string;
  configuration: Record<string, unknown>;
  flowType: string | null;
  history: { role: string; content: string }[];
  image: { name: string; mime: string; bytes: Buffer } | null;
  startNow: boolean;
}

export interface CreatedMessage {
  id: string;
  sessionId: string;
  imageId: string | null;
  createdAt: Date;
  continued: boolean;
}

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

  private readonly messageQueue: {
    input: NewMessage;
    resolve: (created: CreatedMessage) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private writingMessages = false;

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
   * Records a message: the session (continued when `sessionId` is the owner's session of this
   * chatbot, new otherwise, seeded with `history`), the image, the streaming session (already
   * `processing` when this process starts it at once) and the user's turn. Messages that arrive
   * while a write is in flight go together in the next one (group commit): PGlite runs one
   * statement at a time, so a burst of 200 messages costs a few statements, not 200.
   */
  createForMessage(input: NewMessage): Promise<CreatedMessage> {
    return new Promise((resolve, reject) => {
      this.messageQueue.push({ input, resolve, reject });
      void this.writeMessages();
    });
  }

  private async writeMessages(): Promise<void> {
    if (this.writingMessages) return;
    this.writingMessages = true;
    try {
      while (this.messageQueue.length > 0) {
        const batch = this.messageQueue.splice(0, MESSAGE_BATCH);
        try {
          const created = await this.insertMessages(batch.map((item) => item.input));
          batch.forEach((item, i) => item.resolve(created[i]));
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          // One bad message (a chatbot deleted meanwhile) must not fail the others: one by one.
          else
            for (const item of batch)
              await this.insertMessages([item.input]).then(
                ([created]) => item.resolve(created),
                (failure: unknown) => item.reject(failure),
              );
        }
      }
    } finally {
      this.writingMessages = false;
    }
  }

  private async insertMessages(inputs: NewMessage[]): Promise<CreatedMessage[]> {
    const rows = inputs.map((input) => ({
      stream_id: randomUUID(),
      new_session_id: randomUUID(),
      session_id: input.sessionId,
      owner_id: input.ownerId,
      chatbot_id: input.chatbotId,
      title: input.title,
      message_text: input.messageText,
      configuration: input.configuration,
      flow_type: input.flowType,
      start_now: input.startNow,
      history: input.history.map((turn, i) => ({
        role: turn.role,
        content: turn.content,
        back: input.history.length - i,
      })),
      image_id: input.image ? randomUUID() : null,
      image_name: input.image?.name ?? null,
      image_mime: input.image?.mime ?? null,
      image_data: input.image?.bytes.toString('base64') ?? null,
    }));
    // Foreign keys between the inserts are checked at the end of the statement, so the session,
    // image, stream and turn of one message can all be written by one statement.
    const result = await this.streams.query<
      { stream_id: string; sid: string; image_id: string | null; continued: boolean; at: Date }[]
    >(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(stream_id uuid, new_session_id uuid,
           session_id uuid, owner_id uuid, chatbot_id uuid, title text, message_text text,
           configuration jsonb, flow_type text, start_now boolean, history jsonb, image_id uuid,
           image_name text, image_mime text, image_data text)
       ), existing AS (
         SELECT i.stream_id, s.id FROM input i
           JOIN conversation_sessions s
             ON s.id = i.session_id AND s.owner_id = i.owner_id AND s.chatbot_id = i.chatbot_id
       ), touched AS (
         UPDATE conversation_sessions s SET last_activity_at = now()
           FROM existing e WHERE s.id = e.id RETURNING s.id
       ), resolved AS (
         SELECT i.*, coalesce(e.id, i.new_session_id) AS sid, e.id IS NOT NULL AS continued
           FROM input i LEFT JOIN existing e ON e.stream_id = i.stream_id
       ), fresh AS (
         INSERT INTO conversation_sessions (id, owner_id, chatbot_id, title)
         SELECT sid, owner_id, chatbot_id, title FROM resolved WHERE NOT continued
       ), earlier AS (
         INSERT INTO conversation_messages (session_id, role, content, created_at)
         SELECT r.sid, h.role, h.content, now() - make_interval(secs => h.back)
           FROM resolved r, jsonb_to_recordset(r.history) AS h(role text, content text, back int)
          WHERE NOT r.continued
       ), img AS (
         INSERT INTO conversation_images (id, owner_id, session_id, name, mime, size_bytes, data)
         SELECT image_id, owner_id, sid, image_name, image_mime,
                octet_length(decode(image_data, 'base64')), decode(image_data, 'base64')
           FROM resolved WHERE image_id IS NOT NULL
       ), st AS (
         INSERT INTO streaming_sessions (id, owner_id, conversation_session_id, chatbot_id,
                message_text, image_id, configuration, flow_type, processing_status,
                processing_started_at, heartbeat_at, created_at)
         SELECT stream_id, owner_id, sid, chatbot_id, message_text, image_id, configuration,
                flow_type, CASE WHEN start_now THEN 'processing' ELSE 'pending' END,
                CASE WHEN start_now THEN now() END, CASE WHEN start_now THEN now() END, now()
           FROM resolved
       ), turn AS (
         INSERT INTO conversation_messages (session_id, streaming_session_id, role, content, image_id, created_at)
         SELECT sid, stream_id, 'user', message_text, image_id, now() FROM resolved
       )
       SELECT stream_id, sid, image_id, continued, now() AS at FROM resolved`,
      [JSON.stringify(rows)],
    );
    const byStream = new Map(result.map((row) => [row.stream_id, row]));
    return rows.map((row) => {
      const found = byStream.get(row.stream_id)!;
      return {
        id: row.stream_id,
        sessionId: found.sid,
        imageId: found.image_id,
        createdAt: new Date(found.at),
        continued: found.continued,
      };
    });
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

  /** Pending or processing, across every owner (GET /api/conversation-health). */
  countActive(): Promise<number> {
    return this.streams.count({ where: { processing: { status: In(OPEN) } } });
  }

  async recordError(entry: Omit<ConversationErrorLog, 'id' | 'createdAt' | 'category'>) {
    await this.errors.save(this.errors.create(entry));
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
