import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { tempDir } from '../files/storage-paths.js';
import { StoredFilesRepository } from '../files/stored-files.repository.js';
import { InjectJobQueue } from '../queue/inject-job-queue.decorator.js';
import type { JobQueue } from '../queue/job-queue.js';
import { QueueRegistry } from '../queue/queue-registry.js';
import { ReconcilerService } from '../queue/reconciler.service.js';
import { PLATFORM_QUEUE, type PlatformJobs } from './platform.jobs.js';

export interface HousekeepingReport {
  expiredFiles: number;
  staleTempFiles: number;
  orphanFiles: number;
  finishedJobs: number;
}

const BATCH = 200;
const TEMP_MAX_AGE_MS = 24 * 3_600_000;

/** Deletes expired upload files, stale upload temp files and old finished queue entries. */
@Injectable()
export class HousekeepingService implements OnModuleInit {
  private readonly logger = new Logger('Housekeeping');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectJobQueue(PLATFORM_QUEUE) private readonly queue: JobQueue<PlatformJobs>,
    private readonly files: StoredFilesRepository,
    private readonly queues: QueueRegistry,
    private readonly reconciler: ReconcilerService,
  ) {}

  onModuleInit(): void {
    // The schedule lives in Redis; re-adding it is idempotent, so a flushed Redis gets it back.
    this.reconciler.register('housekeeping-schedule', () => this.ensureScheduled());
  }

  async ensureScheduled(): Promise<number> {
    const every = this.config.queue.housekeepingEveryMs;
    const existing = await this.queue.bull.getRepeatableJobs();
    if (existing.some((job) => job.name === 'housekeeping' && Number(job.every) === every))
      return 0;
    for (const job of existing.filter((item) => item.name === 'housekeeping')) {
      await this.queue.bull.removeRepeatableByKey(job.key);
    }
    await this.queue.bull.add(
      'housekeeping',
      { trigger: 'schedule' } satisfies PlatformJobs['housekeeping'],
      {
        repeat: { every },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
    this.logger.log(`scheduled every ${Math.round(every / 60_000)} min`);
    // Scheduling is not a lost job: the reconciler's count stays for work Redis lost.
    return 0;
  }

  async run(now = new Date()): Promise<HousekeepingReport> {
    const report: HousekeepingReport = {
      expiredFiles: await this.deleteExpiredFiles(now),
      staleTempFiles: await this.deleteStaleTempFiles(now),
      orphanFiles: await this.deleteOrphanFiles(now),
      finishedJobs: await this.cleanFinishedJobs(),
    };
    this.logger.log(
      `removed ${report.expiredFiles} expired file(s), ${report.staleTempFiles} stale temp file(s), ` +
        `${report.orphanFiles} unrecorded file(s), ${report.finishedJobs} old finished job(s)`,
    );
    return report;
  }

  private async deleteExpiredFiles(now: Date): Promise<number> {
    let removed = 0;
    for (;;) {
      const expired = await this.files.findExpired(now, BATCH);
      if (expired.length === 0) return removed;
      for (const file of expired) {
        await rm(join(this.config.app.storageDir, file.storagePath), { force: true });
      }
      await this.files.deleteByIds(expired.map((file) => file.id));
      removed += expired.length;
    }
  }

  private async deleteStaleTempFiles(now: Date): Promise<number> {
    const dir = tempDir(this.config.app.storageDir);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && now.getTime() - info.mtimeMs > TEMP_MAX_AGE_MS) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Stored files without a stored_files row: the intake moves a file into place, then inserts its
   * row, so a crash in between leaves one. Only files older than a day are looked at, so an
   * upload in flight is never mistaken for one.
   */
  private async deleteOrphanFiles(now: Date): Promise<number> {
    const root = this.config.app.storageDir;
    let owners: string[];
    try {
      owners = (await readdir(root, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory() && entry.name !== '.tmp')
        .map((entry) => entry.name);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const owner of owners) {
      const names = await readdir(join(root, owner)).catch(() => [] as string[]);
      for (let at = 0; at < names.length; at += BATCH) {
        const old: string[] = [];
        for (const name of names.slice(at, at + BATCH)) {
          const info = await stat(join(root, owner, name)).catch(() => undefined);
          if (info?.isFile() && now.getTime() - info.mtimeMs > TEMP_MAX_AGE_MS)
            old.push(`${owner}/${name}`);
        }
        const known = await this.files.knownStoragePaths(old);
        for (const path of old.filter((candidate) => !known.has(candidate))) {
          await unlink(join(root, path)).catch(() => undefined);
          removed++;
        }
      }
    }
    return removed;
  }

  private async cleanFinishedJobs(): Promise<number> {
    let removed = 0;
    for (const queue of this.queues.all()) {
      removed += (await queue.bull.clean(this.config.queue.keepFailedMs, 'failed')).length;
      removed += (await queue.bull.clean(0, 'completed')).length;
    }
    return removed;
  }
}
