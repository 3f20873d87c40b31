import type { ProcessingState } from './processing-state.embeddable.js';
import { IllegalTransitionError, ProcessingStatus, canTransition } from './processing-status.js';

export interface TransitionOptions {
  /** Failure text for `failed`, or the reason for `paused`. */
  error?: string;
  step?: string | null;
  progress?: { done: number; total?: number };
  at?: Date;
}

export function initialState(total: number | null = null): ProcessingState {
  return {
    status: ProcessingStatus.Pending,
    error: null,
    step: null,
    startedAt: null,
    completedAt: null,
    progressDone: total === null ? null : 0,
    progressTotal: total,
  };
}

/**
 * The one way a processing state changes. Refuses illegal moves and keeps the timestamps honest:
 * startedAt when work starts, completedAt when it ends, both cleared when it is queued again.
 */
export function transition(
  state: ProcessingState,
  to: ProcessingStatus,
  options: TransitionOptions = {},
): ProcessingState {
  if (!canTransition(state.status, to)) throw new IllegalTransitionError(state.status, to);
  const at = options.at ?? new Date();
  const next: ProcessingState = { ...state, status: to };
  switch (to) {
    case ProcessingStatus.Pending:
      Object.assign(next, { error: null, step: null, startedAt: null, completedAt: null });
      if (next.progressTotal !== null) next.progressDone = 0;
      break;
    case ProcessingStatus.Processing:
      Object.assign(next, { error: null, startedAt: state.startedAt ?? at, completedAt: null });
      break;
    case ProcessingStatus.Paused:
      next.error = options.error ?? null;
      break;
    case ProcessingStatus.Completed:
      Object.assign(next, { error: null, step: null, completedAt: at });
      if (next.progressTotal !== null) next.progressDone = next.progressTotal;
      break;
    case ProcessingStatus.Failed:
      Object.assign(next, { error: options.error ?? 'failed without a reason', completedAt: at });
      break;
    case ProcessingStatus.Cancelled:
      Object.assign(next, { error: options.error ?? null, completedAt: at });
      break;
  }
  if (options.step !== undefined) next.step = options.step;
  if (options.progress) {
    next.progressDone = options.progress.done;
    if (options.progress.total !== undefined) next.progressTotal = options.progress.total;
  }
  return next;
}

export function isFinished(state: Pick<ProcessingState, 'status'>): boolean {
  return [ProcessingStatus.Completed, ProcessingStatus.Failed, ProcessingStatus.Cancelled].includes(
    state.status,
  );
}
