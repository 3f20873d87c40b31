/**
 * The abort signal of one attempt: fires when the caller aborts, or when the attempt has waited
 * `timeoutMs` without progress. Streams call `touch()` on every chunk, so for them the timeout
 * bounds the silence between chunks, not the length of the answer.
 */
export class AttemptControl {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timedOutFlag = false;
  private readonly onCallerAbort = () => this.controller.abort(this.caller?.reason);

  constructor(
    private readonly timeoutMs: number,
    private readonly caller?: AbortSignal,
  ) {
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (caller?.aborted) this.controller.abort(caller.reason);
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.timedOutFlag;
  }

  get callerAborted(): boolean {
    return this.caller?.aborted ?? false;
  }

  /** Progress: restart the silence timer. */
  touch(): void {
    if (this.controller.signal.aborted) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOutFlag = true;
      this.controller.abort(new Error(`no answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  /** The attempt is over (answered or given up): no more timer, no more listener. */
  release(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  /** Abandons the attempt (e.g. the consumer stopped reading a stream). */
  abort(reason?: unknown): void {
    this.controller.abort(reason);
    this.release();
  }
}
