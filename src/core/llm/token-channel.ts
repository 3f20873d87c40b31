/**
 * A one-consumer queue between the producer of a stream (reading the provider) and whoever
 * iterates it. The producer starts at once, so time to first token is measured from the call,
 * and `result` settles even if nobody iterates.
 */
export class TokenChannel implements AsyncIterable<string> {
  private readonly items: string[] = [];
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private taken = false;

  constructor(private readonly onReturn: () => void = () => undefined) {}

  push(token: string): void {
    this.items.push(token);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    if (this.taken) throw new Error('an LLM stream can be iterated only once');
    this.taken = true;
    return {
      next: async (): Promise<IteratorResult<string>> => {
        for (;;) {
          if (this.items.length > 0) return { value: this.items.shift()!, done: false };
          if (this.ended) {
            if (this.failure !== undefined) {
              const failure = this.failure;
              this.failure = undefined;
              throw failure;
            }
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      },
      // The consumer stopped early (break, throw): stop reading the provider.
      return: async (): Promise<IteratorResult<string>> => {
        if (!this.ended) this.onReturn();
        return { value: undefined, done: true };
      },
    };
  }
}
