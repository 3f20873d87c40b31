/** The lifecycle every long-running thing shares (DESIGN.md 3). */
export enum ProcessingStatus {
  Pending = 'pending',
  Processing = 'processing',
  Paused = 'paused',
  Completed = 'completed',
  Failed = 'failed',
  Cancelled = 'cancelled',
}

/**
 * Legal moves. Finished states only go back to pending (reprocess, retry), never straight to
 * processing, so every run starts from a clean slate with fresh timestamps.
 */
export const LEGAL_TRANSITIONS: Readonly<Record<ProcessingStatus, readonly ProcessingStatus[]>> = {
  [ProcessingStatus.Pending]: [
    ProcessingStatus.Processing,
    ProcessingStatus.Paused,
    ProcessingStatus.Failed,
    ProcessingStatus.Cancelled,
  ],
  [ProcessingStatus.Processing]: [
    ProcessingStatus.Completed,
    ProcessingStatus.Failed,
    ProcessingStatus.Paused,
    ProcessingStatus.Cancelled,
  ],
  [ProcessingStatus.Paused]: [
    ProcessingStatus.Pending,
    ProcessingStatus.Processing,
    ProcessingStatus.Cancelled,
  ],
  [ProcessingStatus.Completed]: [ProcessingStatus.Pending],
  [ProcessingStatus.Failed]: [ProcessingStatus.Pending],
  [ProcessingStatus.Cancelled]: [ProcessingStatus.Pending],
};

export const FINISHED_STATUSES: readonly ProcessingStatus[] = [
  ProcessingStatus.Completed,
  ProcessingStatus.Failed,
  ProcessingStatus.Cancelled,
];

export function canTransition(from: ProcessingStatus, to: ProcessingStatus): boolean {
  return LEGAL_TRANSITIONS[from].includes(to);
}

/** The states a record may be in for a move to `to` to be legal (for guarded SQL updates). */
export function legalSources(to: ProcessingStatus): ProcessingStatus[] {
  return (Object.keys(LEGAL_TRANSITIONS) as ProcessingStatus[]).filter((from) =>
    canTransition(from, to),
  );
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: ProcessingStatus,
    readonly to: ProcessingStatus,
  ) {
    super(`cannot move from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}
