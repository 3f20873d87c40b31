import { Injectable } from '@nestjs/common';
import type { QueueCounts, RegisteredQueue } from './job-queue.js';

/** Every queue of this app, for health, the dashboard, the boot check and graceful shutdown. */
@Injectable()
export class QueueRegistry {
  private readonly queues = new Map<string, RegisteredQueue>();

  register(queue: RegisteredQueue): void {
    this.queues.set(queue.name, queue);
  }

  all(): RegisteredQueue[] {
    return [...this.queues.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async counts(): Promise<Record<string, QueueCounts>> {
    const entries = await Promise.all(
      this.all().map(async (queue) => [queue.name, await queue.counts()] as const),
    );
    return Object.fromEntries(entries);
  }
}
