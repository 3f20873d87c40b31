import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { LlmCallsRepository, type LlmCallRecord } from './llm-calls.repository.js';

const FLUSH_EVERY_MS = 250;
const FLUSH_AT_ROWS = 500;
/** Past this, rows are dropped (and counted) rather than growing memory while the DB is down. */
const MAX_BUFFERED = 50_000;

/**
 * Records calls without blocking them: rows are buffered and written in multi-row INSERTs every
 * 250 ms (or at 500 rows), and once more at shutdown, after the job workers have stopped.
 */
@Injectable()
export class UsageRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger('LlmUsage');
  private buffer: LlmCallRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(private readonly repository: LlmCallsRepository) {}

  record(row: LlmCallRecord): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= FLUSH_AT_ROWS) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Writes what is buffered; resolves when every row recorded so far is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(async () => {
      const rows = this.buffer;
      this.buffer = [];
      if (rows.length === 0) return;
      try {
        await this.repository.insertMany(rows);
      } catch (error) {
        this.logger.error(`could not record ${rows.length} LLM calls: ${(error as Error).message}`);
        // Keep them for the next flush unless that would grow without bound.
        if (this.buffer.length + rows.length <= MAX_BUFFERED) this.buffer.unshift(...rows);
        else this.dropped += rows.length;
        this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS * 8);
      }
      if (this.dropped > 0) {
        this.logger.warn(`${this.dropped} LLM call records were dropped (database unavailable)`);
        this.dropped = 0;
      }
    });
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
