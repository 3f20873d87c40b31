import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { Batcher } from '../../core/database/batcher.js';
import { LlmError, QuotaExhaustedError } from '../../core/llm/llm.errors.js';
import { transitionEntity } from '../../core/processing/processing-transitions.js';
import {
  IllegalTransitionError,
  ProcessingStatus,
} from '../../core/processing/processing-status.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import { ReconcilerService } from '../../core/queue/reconciler.service.js';
import {
  EMAIL_QUEUE,
  GENERATE_ATTEMPTS,
  emailJobIds,
  type EmailGenerationJobs,
} from './email-generation.jobs.js';
import { EmailJobsRepository } from './email-jobs.repository.js';
import {
  EmailRowsRepository,
  type PendingRow,
  type RecordedRow,
  type RowResult,
} from './email-rows.repository.js';
import { EmailWriter, UnusableRowError } from './email-writer.service.js';
import type { EmailJob } from './entities/email-job.entity.js';

/** How a row's turn ended. `retry`: a transient failure, the queue job is tried again later. */
type RowOutcome = 'written' | 'skipped' | 'quota' | 'retry' | 'stale';

export type PauseKind = 'quota' | 'budget' | 'manual';

/** A job's settings and state are re-read at most this often by each process. */
const STATE_MAX_AGE_MS = 250;

/**
 * Rows to emails. Postgres is the ledger: rows are stored before anything is queued, a queue job
 * names a range of rows of one template version, and its handler reloads the range's pending rows,
 * so a re-run (crash, stalled job, reconciler after a Redis loss) writes only what is missing.
 * Each row's result is stored the moment it arrives, grouped with the results of concurrent rows
 * into one statement (Batcher, group commit). The gateway's shared limiter paces every call.
 */
@Injectable()
export class EmailGenerationPipeline implements OnModuleInit {
  private readonly logger = new Logger('EmailGeneration');
  private readonly states = new Map<string, { at: number; job: Promise<EmailJob | null> }>();
  private readonly pausing = new Map<string, Promise<void>>();
  private readonly writes: Batcher<RowResult, boolean>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: EmailJobsRepository,
    private readonly rows: EmailRowsRepository,
    private readonly writer: EmailWriter,
    private readonly reconciler: ReconcilerService,
    @InjectJobQueue(EMAIL_QUEUE) private readonly queue: JobQueue<EmailGenerationJobs>,
  ) {
    this.writes = new Batcher(async (items) => {
      const recorded = await this.rows.recordResults(items);
      await this.afterRecorded(recorded);
      const stored = new Set(recorded.map((r) => `${r.jobId}:${r.rowIndex}`));
      return items.map((item) => stored.has(`${item.jobId}:${item.rowIndex}`));
    });
  }

  onModuleInit(): void {
    this.reconciler.register('email-generation', () => this.reconcile());
  }

  private get batchSize(): number {
    return this.config.emailGeneration.batchSize;
  }

  /** The job as this process last read it, at most STATE_MAX_AGE_MS old. */
  current(jobId: string): Promise<EmailJob | null> {
    const cached = this.states.get(jobId);
    if (cached && Date.now() - cached.at < STATE_MAX_AGE_MS) return cached.job;
    const job = this.jobs.findById(jobId);
    this.states.set(jobId, { at: Date.now(), job });
    job.catch(() => this.states.delete(jobId));
    return job;
  }

  private remember(job: EmailJob | null, id: string): void {
    if (job) this.states.set(id, { at: Date.now(), job: Promise.resolve(job) });
    else this.states.delete(id);
  }

  /** Queues one job per range of rows with a pending row (ids dedupe ranges already queued). */
  async enqueuePending(job: Pick<EmailJob, 'id' | 'version'>): Promise<number> {
    const ranges = await this.rows.pendingRanges(job.id, job.version, this.batchSize);
    await this.queue.addBulk(
      'generate',
      ranges.map((firstRow) => ({
        payload: { jobId: job.id, version: job.version, firstRow },
        options: { jobId: emailJobIds.generate(job.id, job.version, firstRow) },
      })),
    );
    await this.jobs.entities.update({ id: job.id }, { queuedAt: new Date() });
    return ranges.length;
  }

  // ------------------------------------------------------------------------------------------
  // generate
  // ------------------------------------------------------------------------------------------

  async generate(job: RunningJob<EmailGenerationJobs['generate']>): Promise<string> {
    const { jobId, version, firstRow } = job.data;
    // Every row in flight listens to the job's one shutdown signal.
    if (getMaxListeners(job.signal) < 1000) setMaxListeners(1000, job.signal);
    const lastAttempt = job.attemptsMade + 1 >= GENERATE_ATTEMPTS;
    let written = 0;
    // A second pass picks up rows that became pending while this one ran (a retry of failed
    // rows whose range job was still running here, so its enqueue was deduplicated).
    for (let pass = 0; pass < 3; pass++) {
      const state = await this.current(jobId);
      if (!state || state.version !== version) return 'stale';
      if (state.processing.status !== ProcessingStatus.Processing)
        return `job is ${state.processing.status} (${written} written)`;
      const pending = await this.rows.pendingRows(
        jobId,
        version,
        firstRow,
        firstRow + this.batchSize,
      );
      if (pending.length === 0) break;
      const outcomes = await Promise.all(
        pending.map((row) => this.generateRow(job, row, lastAttempt)),
      );
      const count = (what: RowOutcome) => outcomes.filter((o) => o === what).length;
      written += count('written');
      if (count('retry') > 0)
        throw new Error(
          `${count('retry')} row(s) of ${firstRow}-${firstRow + this.batchSize - 1} failed for now; the range is tried again`,
        );
      if (count('written') < pending.length) break;
    }
    return `${written} written`;
  }

  private async generateRow(
    job: RunningJob<EmailGenerationJobs['generate']>,
    row: PendingRow,
    lastAttempt: boolean,
  ): Promise<RowOutcome> {
    const { jobId, version } = job.data;
    // Checked before each call: a pause, a cancel or a quota stop holds back rows not yet sent.
    const state = await this.current(jobId);
    if (!state || state.version !== version) return 'stale';
    if (state.processing.status !== ProcessingStatus.Processing) return 'skipped';
    const base = { jobId, version, rowIndex: row.rowIndex };
    try {
      const email = await this.writer.write(state, row, job.signal);
      await this.writes.run({
        ...base,
        status: 'done',
        email: email.email,
        verdict: email.verdict,
        model: email.model,
        provider: email.provider,
        promptTokens: email.promptTokens,
        completionTokens: email.completionTokens,
        costUsd: email.costUsd,
        error: null,
        attempts: email.attempts,
      });
      return 'written';
    } catch (error) {
      if (job.signal.aborted) throw error;
      if (error instanceof QuotaExhaustedError) {
        await this.pauseForQuota(jobId, error);
        return 'quota';
      }
      const retryable =
        !(error instanceof UnusableRowError) && (!(error instanceof LlmError) || error.retryable);
      if (retryable && !lastAttempt) return 'retry';
      await this.writes.run({
        ...base,
        status: 'failed',
        email: null,
        verdict: null,
        model: null,
        provider: null,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: null,
        error: (error as Error).message,
        attempts: error instanceof UnusableRowError ? 0 : 1,
      });
      return 'written';
    }
  }

  /** After each stored batch: complete finished jobs, pause jobs over their budget. */
  private async afterRecorded(recorded: readonly RecordedRow[]): Promise<void> {
    const byJob = new Map<string, RecordedRow>();
    for (const row of recorded) byJob.set(row.jobId, row);
    for (const [jobId, totals] of byJob) {
      if (totals.doneCount + totals.failedCount >= totals.rowCount) {
        await this.completeFinished([jobId]);
      } else if (totals.budgetUsd !== null && totals.costUsd >= totals.budgetUsd) {
        void this.pause(
          jobId,
          'budget',
          `The budget of $${totals.budgetUsd.toFixed(2)} is reached ($${totals.costUsd.toFixed(4)} spent). Emails written so far are kept; raise the budget or resume to go on.`,
        );
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // the job as a whole
  // ------------------------------------------------------------------------------------------

  private pauseForQuota(jobId: string, error: QuotaExhaustedError): Promise<void> {
    const when = error.resetAt ? ` It resumes by itself at ${error.resetAt.toISOString()}.` : '';
    return this.pause(
      jobId,
      'quota',
      `The LLM quota is exhausted (${error.reason}: ${error.message}). Emails written so far are kept and downloadable.${when} Resume by hand once the quota is back.`,
      error.resetAt,
    );
  }

  /** Pauses a processing job once (concurrent callers share the first pause). */
  pause(jobId: string, kind: PauseKind, reason: string, resumeAt: Date | null = null) {
    const running = this.pausing.get(jobId);
    if (running) return running;
    const pausing = this.doPause(jobId, kind, reason, resumeAt).finally(() =>
      this.pausing.delete(jobId),
    );
    this.pausing.set(jobId, pausing);
    return pausing;
  }

  private async doPause(jobId: string, kind: PauseKind, reason: string, resumeAt: Date | null) {
    const paused = await transitionEntity(this.jobs.entities, jobId, ProcessingStatus.Paused, {
      error: reason,
    }).catch((error) => {
      if (error instanceof IllegalTransitionError) return null;
      throw error;
    });
    if (!paused) return;
    await this.jobs.entities.update({ id: jobId }, { pauseReason: kind, resumeAt });
    this.remember({ ...paused, pauseReason: kind, resumeAt }, jobId);
    this.logger.warn(`email job ${jobId} paused (${kind}): ${reason}`);
    if (resumeAt) {
      const pausedAt = new Date().toISOString();
      await this.queue
        .add(
          'resume',
          { jobId, pausedAt },
          {
            jobId: emailJobIds.resume(jobId, pausedAt),
            delayMs: Math.max(0, resumeAt.getTime() - Date.now()),
          },
        )
        .catch((error: Error) =>
          // The reconciler resumes a job whose resume time has passed.
          this.logger.warn(`email job ${jobId}: resume not scheduled (${error.message})`),
        );
    }
  }

  /** Back to processing (from paused, or from a finished state) and every pending row queued. */
  async reopen(job: EmailJob, step: string): Promise<EmailJob> {
    const status = job.processing.status;
    if (status !== ProcessingStatus.Processing) {
      // Finished states go back through pending (ProcessingStatus's rule); paused and pending
      // move straight on.
      if (status !== ProcessingStatus.Paused && status !== ProcessingStatus.Pending)
        await transitionEntity(this.jobs.entities, job.id, ProcessingStatus.Pending);
      await transitionEntity(this.jobs.entities, job.id, ProcessingStatus.Processing, { step });
    }
    await this.jobs.entities.update({ id: job.id }, { pauseReason: null, resumeAt: null });
    const reopened = (await this.jobs.findById(job.id))!;
    this.remember(reopened, job.id);
    try {
      await this.enqueuePending(reopened);
    } catch (error) {
      // Stored as processing: the reconciler queues its rows as soon as Redis answers again.
      this.logger.warn(`email job ${job.id}: rows not queued yet (${(error as Error).message})`);
    }
    await this.completeFinished([job.id]);
    return (await this.jobs.findById(job.id))!;
  }

  async resumeAfterReset(data: EmailGenerationJobs['resume']): Promise<string> {
    const job = await this.jobs.findById(data.jobId);
    if (!job || job.processing.status !== ProcessingStatus.Paused || job.pauseReason !== 'quota')
      return 'nothing to resume';
    await this.reopen(job, 'resumed after the quota reset');
    return 'resumed';
  }

  async completeFinished(ids?: string[]): Promise<number> {
    const finished = await this.jobs.findFinished(ids);
    for (const id of finished) {
      const done = await transitionEntity(this.jobs.entities, id, ProcessingStatus.Completed).catch(
        (error) => {
          if (error instanceof IllegalTransitionError) return null;
          throw error;
        },
      );
      if (done) this.remember(done, id);
    }
    return finished.length;
  }

  /**
   * DESIGN.md 2a: every range with a pending row of a processing job gets a live queue job
   * (ensureQueued adds only what Redis lacks), finished jobs complete, and quota pauses whose reset
   * time has passed resume.
   */
  async reconcile(): Promise<number> {
    let enqueued = 0;
    for (const job of await this.jobs.findProcessing()) {
      for (const firstRow of await this.rows.pendingRanges(job.id, job.version, this.batchSize)) {
        if (
          await this.queue.ensureQueued(
            'generate',
            { jobId: job.id, version: job.version, firstRow },
            emailJobIds.generate(job.id, job.version, firstRow),
          )
        )
          enqueued++;
      }
    }
    await this.completeFinished();
    for (const job of await this.jobs.findDueForResume()) {
      await this.reopen(job, 'resumed after the quota reset');
      enqueued++;
    }
    return enqueued;
  }
}
