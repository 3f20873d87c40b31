interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: callers hand in one item each and await its result; items that arrive while a
 * flush runs go together into the next one. The embedded database does ~800 single-row
 * statements a second but tens of thousands of rows a second in one statement (DESIGN.md 2), so
 * a few dozen concurrent jobs share one statement instead of queueing for one each. One flush
 * runs at a time; a failed flush fails every item in it (each job then retries on its own).
 */
export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly maxSize = 200,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the other jobs that are ready in this turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxSize);
      try {
        const results = await this.flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.resolve(results[i]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }
}
