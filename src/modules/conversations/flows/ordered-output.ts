/**
 * Merges the token streams of flows that run at the same time into one readable answer: the
 * flows' outputs follow each other in the chatbot's order, never interleave. The flow whose turn
 * it is streams live; a later flow's tokens wait in a buffer until every flow before it has
 * finished, then go out at once and it continues live. A separator token goes between two flows'
 * outputs, so the stored answer (the tokens joined) reads the same as what was streamed.
 */
export class OrderedOutput {
  private readonly buffers = new Map<string, string[]>();
  private readonly finished = new Set<string>();
  private turn = 0;
  private emittedAny = false;
  private startedTurn = false;

  constructor(
    private readonly order: readonly string[],
    private readonly emit: (flow: string, token: string, separator: boolean) => void,
    private readonly separator = '\n\n',
  ) {
    for (const flow of order) this.buffers.set(flow, []);
  }

  push(flow: string, token: string): void {
    if (this.order[this.turn] === flow) this.send(flow, token);
    else this.buffers.get(flow)?.push(token);
  }

  /** The flow has produced all its tokens: later flows may go. */
  finish(flow: string): void {
    this.finished.add(flow);
    while (this.turn < this.order.length && this.finished.has(this.order[this.turn])) {
      this.turn += 1;
      this.startedTurn = false;
      const next = this.order[this.turn];
      if (next === undefined) return;
      for (const token of this.buffers.get(next)!.splice(0)) this.send(next, token);
    }
  }

  private send(flow: string, token: string): void {
    if (!this.startedTurn) {
      this.startedTurn = true;
      if (this.emittedAny) this.emit(flow, this.separator, true);
    }
    this.emittedAny = true;
    this.emit(flow, token, false);
  }
}
