import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';

/**
 * Re-enqueues work that Postgres says is pending but that has no live Bull job (DESIGN.md 2a).
 * Returns how many jobs it had to enqueue. Must be idempotent: several instances may run it at once.
 */
export type Reconcile = () => Promise<number>;

/**
 * Postgres is the ledger, Redis the transport. Modules register a reconciler; it runs at boot and
 * every RECONCILE_EVERY_SECONDS, so a flushed or restarted Redis loses nothing.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private readonly reconcilers = new Map<string, Reconcile>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<Record<string, number>>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  register(name: string, reconcile: Reconcile): void {
    if (this.reconcilers.has(name)) throw new Error(`reconciler ${name} is registered twice`);
    this.reconcilers.set(name, reconcile);
  }

  onApplicationBootstrap(): void {
    if (!this.config.app.workers) return;
    void this.runAll();
    const every = this.config.queue.reconcileEveryMs;
    if (every > 0) this.timer = setInterval(() => void this.runAll(), every).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Runs every reconciler once (joining a run already under way). */
  runAll(): Promise<Record<string, number>> {
    this.running ??= this.reconcileEach().finally(() => (this.running = undefined));
    return this.running;
  }

  private async reconcileEach(): Promise<Record<string, number>> {
    const enqueued: Record<string, number> = {};
    for (const [name, reconcile] of this.reconcilers) {
      try {
        enqueued[name] = await reconcile();
        if (enqueued[name] > 0)
          this.logger.warn(`${name}: re-enqueued ${enqueued[name]} job(s) missing from the queue`);
      } catch (error) {
        this.logger.error(`${name} failed: ${(error as Error).message}`);
      }
    }
    return enqueued;
  }
}
