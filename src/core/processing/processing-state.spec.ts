import { describe, expect, it } from '@jest/globals';
import { initialState, isFinished, transition } from './processing-state.js';
import {
  IllegalTransitionError,
  LEGAL_TRANSITIONS,
  ProcessingStatus as S,
  canTransition,
  legalSources,
} from './processing-status.js';

const ALL = Object.values(S);
const T0 = new Date('2026-01-01T10:00:00Z');
const T1 = new Date('2026-01-01T10:00:30Z');

function stateIn(status: S) {
  return { ...initialState(10), status };
}

describe('processing transitions', () => {
  const legal: [S, S][] = [
    [S.Pending, S.Processing],
    [S.Pending, S.Paused],
    [S.Pending, S.Failed],
    [S.Pending, S.Cancelled],
    [S.Processing, S.Completed],
    [S.Processing, S.Failed],
    [S.Processing, S.Paused],
    [S.Processing, S.Cancelled],
    [S.Paused, S.Pending],
    [S.Paused, S.Processing],
    [S.Paused, S.Cancelled],
    [S.Completed, S.Pending],
    [S.Failed, S.Pending],
    [S.Cancelled, S.Pending],
  ];
  const illegal = ALL.flatMap((from) => ALL.map((to) => [from, to] as [S, S])).filter(
    ([from, to]) => !legal.some(([f, t]) => f === from && t === to),
  );

  it('the table holds exactly the documented legal moves', () => {
    const fromTable = ALL.flatMap((from) => LEGAL_TRANSITIONS[from].map((to) => [from, to]));
    expect(fromTable.sort()).toEqual([...legal].sort());
  });

  it.each(legal)('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(transition(stateIn(from), to, { at: T1 }).status).toBe(to);
  });

  it.each(illegal)('refuses %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => transition(stateIn(from), to)).toThrow(IllegalTransitionError);
    expect(() => transition(stateIn(from), to)).toThrow(`cannot move from ${from} to ${to}`);
  });

  it('lists the legal sources of a target for guarded updates', () => {
    expect(legalSources(S.Processing).sort()).toEqual([S.Paused, S.Pending].sort());
    expect(legalSources(S.Pending).sort()).toEqual(
      [S.Cancelled, S.Completed, S.Failed, S.Paused].sort(),
    );
  });
});

describe('timestamps and fields', () => {
  it('stamps startedAt when work starts and keeps it across a pause', () => {
    const started = transition(initialState(), S.Processing, { at: T0 });
    expect(started.startedAt).toEqual(T0);
    expect(started.completedAt).toBeNull();
    const paused = transition(started, S.Paused, { error: 'quota exhausted', at: T1 });
    expect(paused.error).toBe('quota exhausted');
    const resumed = transition(paused, S.Processing, { at: T1 });
    expect(resumed.startedAt).toEqual(T0);
    expect(resumed.error).toBeNull();
  });

  it('stamps completedAt and fills the progress on completion', () => {
    const done = transition(transition(initialState(5), S.Processing, { at: T0 }), S.Completed, {
      at: T1,
    });
    expect(done).toMatchObject({
      status: S.Completed,
      completedAt: T1,
      progressDone: 5,
      progressTotal: 5,
      error: null,
    });
    expect(isFinished(done)).toBe(true);
  });

  it('records the error on failure, with a default when none is given', () => {
    const failed = transition(transition(initialState(), S.Processing), S.Failed, {
      error: 'bad file',
      at: T1,
    });
    expect(failed).toMatchObject({ status: S.Failed, error: 'bad file', completedAt: T1 });
    expect(transition(initialState(), S.Failed).error).toBe('failed without a reason');
  });

  it('clears everything when queued again (reprocess)', () => {
    const failed = transition(transition(initialState(3), S.Processing, { at: T0 }), S.Failed, {
      error: 'x',
      at: T1,
    });
    const again = transition(failed, S.Pending);
    expect(again).toEqual({ ...initialState(3), status: S.Pending });
    expect(isFinished(again)).toBe(false);
  });

  it('sets step and progress when given', () => {
    const next = transition(initialState(), S.Processing, {
      step: 'extracting_metadata',
      progress: { done: 1, total: 2 },
    });
    expect(next).toMatchObject({ step: 'extracting_metadata', progressDone: 1, progressTotal: 2 });
  });

  it('does not mutate the state it was given', () => {
    const before = initialState();
    transition(before, S.Processing);
    expect(before.status).toBe(S.Pending);
  });
});
