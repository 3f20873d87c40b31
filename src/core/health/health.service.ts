import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { QueueCounts } from '../queue/job-queue.js';
import { QueueRegistry } from '../queue/queue-registry.js';
import { RUNTIME, type Runtime } from '../runtime.js';

export type DependencyStatus = 'up' | 'down';

export interface DependencyReport {
  status: DependencyStatus;
  [detail: string]: unknown;
}

/** A section of /health that another part of the app owns (the LLM gateway, a module). */
export type HealthContributor = () => Promise<DependencyReport>;

export interface HealthReport {
  status: 'ok' | 'error';
  /** Each failing dependency with the reason; empty when all is well. */
  failing: string[];
  version: string;
  uptimeSeconds: number;
  database: DependencyReport;
  redis: DependencyReport;
  queues: Record<string, QueueCounts> | null;
  [section: string]: unknown;
}

const CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService implements OnApplicationShutdown {
  private readonly contributors = new Map<string, HealthContributor>();
  /** Its own connection without an offline queue: a dead Redis fails the ping at once. */
  private readonly redis: Redis;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {
    this.redis = new Redis(runtime.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: CHECK_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 250, 1000),
    });
    this.redis.on('error', () => undefined);
    this.contributors.set('llm', async () => ({ status: 'up', mode: this.config.llm.mode }));
  }

  /** Adds or replaces a section of the report. */
  register(name: string, contributor: HealthContributor): void {
    this.contributors.set(name, contributor);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  async check(): Promise<HealthReport> {
    const [database, redis, extra] = await Promise.all([
      this.checkDatabase(),
      this.checkRedis(),
      Promise.all(
        [...this.contributors].map(
          async ([name, contributor]) => [name, await settle(contributor)] as const,
        ),
      ),
    ]);
    const queues =
      redis.status === 'up' ? await withTimeout(this.queues.counts()).catch(() => null) : null;
    const sections: Record<string, DependencyReport> = {
      database,
      redis,
      ...Object.fromEntries(extra),
    };
    const failing = Object.entries(sections)
      .filter(([, report]) => report.status === 'down')
      .map(([name, report]) => `${name}: ${String(report.error ?? 'down')}`);
    return {
      status: failing.length === 0 ? 'ok' : 'error',
      failing,
      version: this.runtime.version,
      uptimeSeconds: Math.round((Date.now() - this.runtime.startedAt.getTime()) / 1000),
      database,
      redis,
      queues,
      ...Object.fromEntries(extra),
    };
  }

  private async checkDatabase(): Promise<DependencyReport> {
    const started = performance.now();
    try {
      const rows: { extversion: string }[] = await withTimeout(
        this.dataSource.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`),
      );
      return {
        status: rows.length > 0 ? 'up' : 'down',
        embedded: this.runtime.databaseEmbedded,
        vector: rows.length > 0,
        vectorVersion: rows[0]?.extversion ?? null,
        latencyMs: Math.round(performance.now() - started),
        ...(rows.length > 0 ? {} : { error: 'the vector extension is not installed' }),
      };
    } catch (error) {
      return {
        status: 'down',
        embedded: this.runtime.databaseEmbedded,
        error: (error as Error).message,
      };
    }
  }

  private async checkRedis(): Promise<DependencyReport> {
    const started = performance.now();
    try {
      if (this.redis.status === 'wait') await withTimeout(this.redis.connect());
      await withTimeout(this.redis.ping());
      return {
        status: 'up',
        embedded: this.runtime.redisEmbedded,
        latencyMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      return {
        status: 'down',
        embedded: this.runtime.redisEmbedded,
        error: (error as Error).message,
      };
    }
  }
}

async function settle(contributor: HealthContributor): Promise<DependencyReport> {
  try {
    return await withTimeout(contributor());
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
