import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bull';
import { BootError } from '../boot-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { logContext } from '../logging/log-context.js';
import type { JobHandlerFn, RunningJob } from './job-catalogue.js';
import { QUEUE_PROCESSOR, handlerBindings } from './job-handler.decorator.js';
import { QueueRegistry } from './queue-registry.js';

/** Thrown into a handler's signal when the process stops. */
export class ShutdownInterruptedError extends Error {
  constructor() {
    super('interrupted by shutdown; the job goes back to the queue');
    this.name = 'ShutdownInterruptedError';
  }
}

interface ActiveJob {
  job: Job;
  done: Promise<unknown>;
}

/**
 * Finds every @JobHandler, checks that each job name of each queue has exactly one handler
 * (STYLE.md 9), and, when WORKERS is on, runs them. On shutdown it stops taking jobs, lets active
 * ones finish within SHUTDOWN_GRACE_MS, then interrupts the rest and hands them back to the queue.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly active = new Set<ActiveJob>();
  private readonly shutdown = new AbortController();
  private started = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: QueueRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const handlers = this.collectHandlers();
    if (!this.config.app.workers) {
      this.logger.log('WORKERS=false: this instance serves HTTP only and runs no jobs');
      return;
    }
    for (const queue of this.registry.all()) {
      for (const [jobName, spec] of Object.entries(queue.catalogue.jobs)) {
        const handler = handlers.get(`${queue.name}/${jobName}`)!;
        const concurrency =
          typeof spec.concurrency === 'function'
            ? spec.concurrency(this.config)
            : (spec.concurrency ?? 1);
        void queue.bull.process(jobName, concurrency, (job: Job) => this.run(job, handler));
      }
    }
    this.started = true;
  }

  /** How many jobs this process is running now. */
  get activeCount(): number {
    return this.active.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    const queues = this.registry.all();
    // Stop taking new jobs, locally, without waiting for the running ones yet.
    await Promise.all(queues.map((queue) => queue.bull.pause(true, true).catch(() => undefined)));
    const graceMs = this.config.app.shutdownGraceMs;
    if (this.active.size > 0) {
      this.logger.log(`waiting up to ${graceMs} ms for ${this.active.size} active job(s)`);
      await this.settle(graceMs);
    }
    if (this.active.size > 0) {
      this.logger.warn(`interrupting ${this.active.size} job(s) still running after ${graceMs} ms`);
      this.shutdown.abort(new ShutdownInterruptedError());
      await this.settle(1500);
    }
    // A handler that ignores its signal is handed back by force; its result, if any, is dropped.
    for (const { job } of this.active) {
      // Bull 4 has Job#moveToDelayed(timestamp, ignoreLock), missing from its typings.
      await (job as Job & { moveToDelayed(at: number, ignoreLock: boolean): Promise<void> })
        .moveToDelayed(Date.now(), true)
        .catch(() => undefined);
      this.logger.warn(`job ${job.id} (${job.name}) handed back to the queue`);
    }
    this.active.clear();
    // Close without waiting for handlers that ignored their signal; the later close by
    // @nestjs/bull then joins this one instead of waiting for them.
    await Promise.all(queues.map((queue) => queue.bull.close(true).catch(() => undefined)));
  }

  private async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.active.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.active].map((entry) => entry.done)),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
      ]);
    }
  }

  private async run(job: Job, handler: JobHandlerFn<object>): Promise<unknown> {
    const running: RunningJob<object> = {
      id: String(job.id),
      name: job.name,
      data: job.data,
      attemptsMade: job.attemptsMade,
      signal: this.shutdown.signal,
      progress: (value) => job.progress(value),
    };
    const context = { jobId: String(job.id), queue: job.queue.name, job: job.name };
    const done = logContext.run(context, async () => {
      const started = performance.now();
      try {
        const result = await handler(running);
        this.logger.debug(`done in ${Math.round(performance.now() - started)} ms`);
        return result;
      } catch (error) {
        if (this.shutdown.signal.aborted) {
          // An interruption is not the job's fault: give back the attempt it used.
          job.opts.attempts = (job.opts.attempts ?? 1) + 1;
          this.logger.log(
            `interrupted by shutdown after ${Math.round(performance.now() - started)} ms; will run again`,
          );
        } else {
          const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          this.logger.warn(
            `attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1} failed${last ? ' (giving up)' : ''}: ${(error as Error).message}`,
          );
        }
        throw error;
      }
    });
    const entry: ActiveJob = { job, done };
    this.active.add(entry);
    try {
      return await done;
    } finally {
      this.active.delete(entry);
    }
  }

  /** Maps `queue/job` to its one handler, or fails the boot naming every gap and duplicate. */
  private collectHandlers(): Map<string, JobHandlerFn<object>> {
    const found = new Map<string, JobHandlerFn<object>[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string | symbol, unknown> | undefined;
      if (!instance || !wrapper.metatype || !Reflect.getMetadata(QUEUE_PROCESSOR, wrapper.metatype))
        continue;
      for (const binding of handlerBindings(wrapper.metatype)) {
        const method = instance[binding.method] as JobHandlerFn<object>;
        const key = `${binding.queue}/${binding.job}`;
        found.set(key, [...(found.get(key) ?? []), method.bind(instance)]);
      }
    }
    const problems: string[] = [];
    const expected = new Set<string>();
    for (const queue of this.registry.all()) {
      for (const jobName of Object.keys(queue.catalogue.jobs)) {
        const key = `${queue.name}/${jobName}`;
        expected.add(key);
        const count = found.get(key)?.length ?? 0;
        if (count !== 1)
          problems.push(`job ${key} has ${count} processors (exactly one is needed)`);
      }
    }
    for (const key of found.keys()) {
      if (!expected.has(key))
        problems.push(`a processor handles ${key}, which no registered queue catalogue declares`);
    }
    if (problems.length > 0) throw new BootError(`queue wiring is wrong: ${problems.join('; ')}`);
    return new Map([...found].map(([key, methods]) => [key, methods[0]]));
  }
}
