/**
 * Typed job catalogues (STYLE.md 6). A queue's name, its job names and each job's payload type
 * live in one `<module>.jobs.ts` file that producers and processors both import, so a payload that
 * does not match its handler is a compile error, not a silently failing task (seed 000).
 */

import type { AppConfig } from '../config/config.js';

/** Job name -> payload type. Interfaces work too: every payload must be an object. */
export type JobPayloads<J = unknown> = { [K in keyof J]: object };

export interface JobSpec {
  /**
   * Jobs of this name run at once in one process. Bull adds up the concurrency of every job name
   * on a queue, so jobs that need different limits belong on different queues. A function reads it
   * from the configuration at boot (e.g. `(config) => config.uploads.scrape.concurrency`).
   */
  concurrency?: number | ((config: AppConfig) => number);
  /** Total tries, the first included. */
  attempts?: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
  /** Keep failed jobs (default) or drop them: the ledger in Postgres is what counts. */
  removeOnFail?: boolean;
}

export interface QueueCatalogue<J extends JobPayloads<J>> {
  readonly name: string;
  readonly jobs: { readonly [K in keyof J & string]: JobSpec };
  /** Carries the payload types; never set at run time. */
  readonly payloads?: J;
}

/** Any catalogue, for code that handles queues without caring about their payloads. */
export interface AnyQueueCatalogue {
  readonly name: string;
  readonly jobs: Readonly<Record<string, JobSpec>>;
}

export function defineQueue<J extends JobPayloads<J>>(
  name: string,
  jobs: { readonly [K in keyof J & string]: JobSpec },
): QueueCatalogue<J> {
  return { name, jobs };
}

/** What a handler receives: the payload, and a signal that fires when the process shuts down. */
export interface RunningJob<P> {
  readonly id: string;
  readonly name: string;
  readonly data: P;
  /** Attempts already made before this one. */
  readonly attemptsMade: number;
  /** Aborted when the process stops; long handlers stop early and let the job be retried. */
  readonly signal: AbortSignal;
  progress(value: number | object): Promise<void>;
}

export type JobHandlerFn<P> = (job: RunningJob<P>) => Promise<unknown>;
