import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG } from '../../../core/config/config.module.js';
import type { AppConfig } from '../../../core/config/config.js';
import { StreamEventLog, type StreamEvent } from './stream-event-log.js';

/** Streams written by another instance are read from Postgres this often. */
const REMOTE_POLL_MS = 250;
const REMOTE_POLL_ROWS = 5000;
const READ_PAGE = 1000;

/** One open SSE response. */
interface SseConnection {
  streamId: string;
  res: Response;
  /** The last event id this client has: nothing at or below it is sent again. */
  cursor: number;
  /** While catching up from the log, live events wait here (then go out in order, deduplicated). */
  syncing: boolean;
  buffered: StreamEvent[];
  unsubscribe: () => void;
  closed: boolean;
}

/**
 * Serves a stream as Server-Sent Events: `id:` lines carrying the sequence, `Last-Event-ID` (or
 * `?last_event_id=`) resumption with every later event sent exactly once, `Cache-Control:
 * no-transform` so proxies and compression do not buffer it, and a heartbeat comment on idle
 * connections. One timer beats for every connection and one query polls every stream another
 * instance writes, so a thousand idle connections cost a thousand sockets and nothing more.
 *
 * A client that goes away only loses its connection: the answer keeps being written.
 */
@Injectable()
export class StreamEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StreamEvents');
  private readonly connections = new Set<SseConnection>();
  private heartbeat?: NodeJS.Timeout;
  private poller?: NodeJS.Timeout;
  private polling = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly log: StreamEventLog,
  ) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => this.beat(), this.config.conversations.heartbeatMs);
    this.heartbeat.unref();
    this.poller = setInterval(() => void this.pollRemote(), REMOTE_POLL_MS);
    this.poller.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.poller);
    for (const connection of this.connections) this.end(connection);
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Opens the SSE response and sends every event after `after`, then the live ones. */
  async open(streamId: string, after: number, req: Request, res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write(`retry: 2000\n\n`);

    const connection: SseConnection = {
      streamId,
      res,
      cursor: after,
      syncing: true,
      buffered: [],
      unsubscribe: () => undefined,
      closed: false,
    };
    // Subscribe before reading the log: whatever is appended meanwhile is buffered, not missed.
    connection.unsubscribe = this.log.subscribe(streamId, (event) =>
      this.deliver(connection, event),
    );
    this.connections.add(connection);
    req.on('close', () => this.end(connection));
    await this.catchUp(connection);
  }

  private deliver(connection: SseConnection, event: StreamEvent): void {
    if (connection.closed) return;
    if (connection.syncing) {
      connection.buffered.push(event);
      return;
    }
    if (event.id > connection.cursor + 1) {
      // A gap (events this process did not see): read them from the log first.
      connection.buffered.push(event);
      void this.catchUp(connection);
      return;
    }
    this.send(connection, event);
  }

  private async catchUp(connection: SseConnection): Promise<void> {
    connection.syncing = true;
    try {
      for (;;) {
        const events = await this.log.read(connection.streamId, connection.cursor, READ_PAGE);
        for (const event of events) this.send(connection, event);
        if (events.length < READ_PAGE || connection.closed) break;
      }
    } catch (error) {
      this.logger.warn(`reading stream ${connection.streamId} failed: ${(error as Error).message}`);
    }
    connection.syncing = false;
    const buffered = connection.buffered.splice(0).sort((a, b) => a.id - b.id);
    for (const event of buffered) this.send(connection, event);
  }

  private send(connection: SseConnection, event: StreamEvent): void {
    if (connection.closed || event.id <= connection.cursor) return;
    connection.cursor = event.id;
    connection.res.write(
      `id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event)}\n\n`,
    );
    // The last event of every stream: the client has everything.
    if (event.event === 'done' || event.event === 'error') this.end(connection);
  }

  private end(connection: SseConnection): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.unsubscribe();
    this.connections.delete(connection);
    if (!connection.res.writableEnded) connection.res.end();
  }

  private beat(): void {
    for (const connection of this.connections) {
      if (!connection.closed) connection.res.write(`: heartbeat ${Date.now()}\n\n`);
    }
  }

  /** Streams this process does not write: their new events come from Postgres, all in one query. */
  private async pollRemote(): Promise<void> {
    if (this.polling || this.connections.size === 0) return;
    this.polling = true;
    try {
      const cursors = new Map<string, number>();
      for (const connection of this.connections) {
        if (connection.syncing || this.log.isLive(connection.streamId)) continue;
        const known = cursors.get(connection.streamId);
        cursors.set(connection.streamId, Math.min(known ?? Infinity, connection.cursor));
      }
      if (cursors.size === 0) return;
      const found = await this.log.readStored(cursors, REMOTE_POLL_ROWS);
      for (const connection of this.connections) {
        const events = found.get(connection.streamId);
        if (!events || connection.syncing) continue;
        for (const event of events) {
          if (event.id === connection.cursor + 1) this.send(connection, event);
        }
      }
    } catch (error) {
      this.logger.warn(`polling remote streams failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }
}
