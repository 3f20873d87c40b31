import type { Job, JobOptions, Queue } from 'bull';
import type { AnyQueueCatalogue, JobPayloads, JobSpec, QueueCatalogue } from './job-catalogue.js';

export interface EnqueueOptions {
  /** Deduplicates: a job with this id that is still waiting or running is not added again. */
  jobId?: string;
  delayMs?: number;
  /** 1 is the highest priority. */
  priority?: number;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: number;
}

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'paused']);
/** addBulk sends one Redis round trip per chunk; 500 keeps each MULTI small. */
const BULK_CHUNK = 500;

/**
 * The typed door to one Bull queue (STYLE.md 7): job ids, attempts and backoff are set here, in one
 * place, from the catalogue. Payloads carry ids, not entities.
 */
/** What the registry, health and shutdown need of any queue. */
export interface RegisteredQueue {
  readonly name: string;
  readonly catalogue: AnyQueueCatalogue;
  readonly bull: Queue;
  counts(): Promise<QueueCounts>;
}

export class JobQueue<J extends JobPayloads<J>> implements RegisteredQueue {
  constructor(
    readonly catalogue: QueueCatalogue<J>,
    readonly bull: Queue,
  ) {}

  get name(): string {
    return this.catalogue.name;
  }

  async add<K extends keyof J & string>(
    job: K,
    payload: J[K],
    options: EnqueueOptions = {},
  ): Promise<Job<J[K]>> {
    return this.bull.add(job, payload, this.jobOptions(job, options));
  }

  /** Fans out many jobs of one name in fixed-size chunks (STYLE.md 8). */
  async addBulk<K extends keyof J & string>(
    job: K,
    items: readonly { payload: J[K]; options?: EnqueueOptions }[],
  ): Promise<number> {
    for (let start = 0; start < items.length; start += BULK_CHUNK) {
      await this.bull.addBulk(
        items.slice(start, start + BULK_CHUNK).map((item) => ({
          name: job,
          data: item.payload,
          opts: this.jobOptions(job, item.options ?? {}),
        })),
      );
    }
    return items.length;
  }

  /**
   * For reconcilers: makes sure a job with this id is waiting or running. A missing job (Redis lost
   * it) or a finished one (completed, or failed for good) is added again. Returns true when it
   * had to enqueue.
   */
  async ensureQueued<K extends keyof J & string>(
    job: K,
    payload: J[K],
    jobId: string,
  ): Promise<boolean> {
    const existing = await this.bull.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (LIVE_STATES.has(state)) return false;
      await existing.remove().catch(() => undefined);
    }
    await this.add(job, payload, { jobId });
    return true;
  }

  /** Removes waiting or delayed jobs by id (e.g. a cancelled unit of work). Running ones finish. */
  async removeIfWaiting(jobIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (const id of jobIds) {
      const job = await this.bull.getJob(id);
      if (!job) continue;
      const state = await job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'paused') {
        await job.remove().catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  async counts(): Promise<QueueCounts> {
    const counts = await this.bull.getJobCounts();
    const paused = await this.bull.getPausedCount();
    return {
      waiting: counts.waiting,
      active: counts.active,
      delayed: counts.delayed,
      completed: counts.completed,
      failed: counts.failed,
      paused,
    };
  }

  private jobOptions(job: string, options: EnqueueOptions): JobOptions {
    const spec: JobSpec = this.catalogue.jobs[job as keyof J & string] ?? {};
    const attempts = spec.attempts ?? 3;
    return {
      jobId: options.jobId,
      delay: options.delayMs,
      priority: options.priority,
      attempts,
      backoff: { type: 'exponential', delay: spec.backoffMs ?? 1000 },
      // Postgres is the ledger: a finished job has nothing Redis needs to keep, and removing it lets
      // the same job id be enqueued again (reprocess, reconcile).
      removeOnComplete: true,
      removeOnFail: spec.removeOnFail ?? false,
    };
  }
}
