import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { HealthService } from '../../core/health/health.service.js';
import { LlmService } from '../../core/llm/llm.service.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import type { FeedmeHealthResponseDto } from './dto/feedme.dto.js';
import { FEEDME_QUEUE, type FeedmeJobs } from './feedme.jobs.js';

/**
 * The seed's health endpoint: database (with pgvector and FeedMe's HNSW index), worker (this
 * process runs the FeedMe queue, and its counts), Redis, and the configuration in effect.
 */
@Injectable()
export class FeedmeHealthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthService,
    private readonly llm: LlmService,
    @InjectDataSource() private readonly db: DataSource,
    @InjectJobQueue(FEEDME_QUEUE) private readonly jobs: JobQueue<FeedmeJobs>,
  ) {}

  async check(): Promise<FeedmeHealthResponseDto> {
    const report = await this.health.check();
    const database: Record<string, unknown> = { ...report.database };
    if (report.database.status === 'up') {
      try {
        const rows: { n: number }[] = await this.db.query(
          `SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'feedme_examples_embedding_idx'`,
        );
        database.hnswIndex = rows[0].n === 1;
      } catch (error) {
        database.hnswIndex = false;
        database.error = (error as Error).message;
      }
    }
    const settings = this.config.feedme;
    let worker: Record<string, unknown>;
    try {
      const counts = report.redis.status === 'up' ? await this.jobs.counts() : null;
      worker = {
        status: this.config.app.workers && counts ? 'up' : 'down',
        workers: this.config.app.workers,
        concurrency: settings.concurrency,
        queue: counts,
        ...(this.config.app.workers ? {} : { error: 'this instance runs with WORKERS=false' }),
      };
    } catch (error) {
      worker = {
        status: 'down',
        workers: this.config.app.workers,
        error: (error as Error).message,
      };
    }
    const down = [database.status, report.redis.status, worker.status].filter(
      (s) => s !== 'up',
    ).length;
    return {
      status:
        report.database.status === 'down' || report.redis.status === 'down'
          ? 'unhealthy'
          : down > 0
            ? 'degraded'
            : 'healthy',
      database,
      worker,
      redis: { ...report.redis },
      configuration: {
        enabled: settings.enabled,
        async_processing: settings.asyncProcessing,
        max_file_size_mb: settings.maxFileBytes / 1048576,
        rate_limit_per_minute: this.config.auth.rateLimits.upload.limit,
        similarity_threshold: settings.similarityThreshold,
        quality_threshold: settings.qualityThreshold,
        duplicate_threshold: settings.duplicateThreshold,
        max_examples_per_conversation: settings.maxExamplesPerConversation,
        embedding_batch_size: settings.embeddingBatchSize,
        llm_mode: this.llm.mode,
      },
      checked_at: new Date().toISOString(),
    };
  }
}
