import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { SpreadsheetService } from '../../core/files/index.js';
import { StoredFilesRepository } from '../../core/files/stored-files.repository.js';
import { LlmError, QuotaExhaustedError } from '../../core/llm/llm.errors.js';
import { LlmService } from '../../core/llm/llm.service.js';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import { ReconcilerService } from '../../core/queue/reconciler.service.js';
import { transitionEntity } from '../../core/processing/processing-transitions.js';
import {
  IllegalTransitionError,
  ProcessingStatus,
} from '../../core/processing/processing-status.js';
import { join } from 'node:path';
import { Batcher } from '../../core/database/batcher.js';
import { Upload } from './entities/upload.entity.js';
import { WebsiteExtractor } from './extraction/website-extractor.js';
import { planMessage } from './messages/message-prompt.js';
import { WebsiteScraper } from './scraping/website-scraper.js';
import {
  UploadWebsitesRepository,
  type MessageToRecord,
  type NewRow,
  type NewWebsite,
  type ScrapeToRecord,
  type StoredResult,
  type WebsiteToMessage,
  type WebsiteToScrape,
} from './upload-websites.repository.js';
import { UploadsRepository } from './uploads.repository.js';
import {
  MESSAGE_ATTEMPTS,
  MESSAGE_QUEUE,
  SCRAPE_ATTEMPTS,
  SCRAPE_QUEUE,
  UPLOADS_QUEUE,
  jobIds,
  type MessageJobs,
  type ScrapeJobs,
  type UploadJobs,
} from './uploads.jobs.js';

const ROW_BATCH = 500;
const LIVE_UPLOAD = [ProcessingStatus.Processing, ProcessingStatus.Paused];

/**
 * The uploads pipeline: extract (spreadsheet -> rows and websites), scrape (one job per website),
 * message (one job per website). Postgres is the ledger: every step is stored before the next is
 * enqueued, every handler reloads its website and does nothing unless the website is still where
 * that step starts (pending, scraped) in the job's run, and the reconciler re-enqueues whatever
 * Postgres says is open. Reads and writes of concurrent jobs are grouped into one statement each
 * (Batcher).
 */
@Injectable()
export class UploadPipeline implements OnModuleInit {
  private readonly logger = new Logger('Uploads');
  private readonly scrapeLoads: Batcher<string, WebsiteToScrape | undefined>;
  private readonly cacheLookups: Batcher<string, string | undefined>;
  private readonly scrapeWrites: Batcher<ScrapeToRecord, boolean>;
  private readonly messageLoads: Batcher<string, WebsiteToMessage | undefined>;
  private readonly messageWrites: Batcher<MessageToRecord, boolean>;
  private readonly completions: Batcher<string, void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uploads: UploadsRepository,
    private readonly websites: UploadWebsitesRepository,
    private readonly spreadsheets: SpreadsheetService,
    private readonly storedFiles: StoredFilesRepository,
    private readonly scraper: WebsiteScraper,
    private readonly llm: LlmService,
    private readonly reconciler: ReconcilerService,
    @InjectJobQueue(UPLOADS_QUEUE) private readonly uploadJobs: JobQueue<UploadJobs>,
    @InjectJobQueue(SCRAPE_QUEUE) private readonly scrapeJobs: JobQueue<ScrapeJobs>,
    @InjectJobQueue(MESSAGE_QUEUE) private readonly messageJobs: JobQueue<MessageJobs>,
  ) {
    this.scrapeLoads = new Batcher(async (ids) => {
      const found = new Map((await this.websites.loadForScrape(ids)).map((w) => [w.id, w]));
      return ids.map((id) => found.get(id));
    });
    this.cacheLookups = new Batcher(async (urls) => {
      const since = new Date(Date.now() - this.config.uploads.scrape.cacheMs);
      const found = new Map(
        (await this.websites.findFreshScrapes([...new Set(urls)], since)).map((s) => [s.url, s.id]),
      );
      return urls.map((url) => found.get(url));
    });
    this.scrapeWrites = new Batcher(async (items) => {
      const stored = await this.websites.recordScrapes(items);
      return this.storedFlags(
        items.map((item) => item.websiteId),
        stored,
      );
    });
    this.messageLoads = new Batcher(async (ids) => {
      const found = new Map((await this.websites.loadForMessage(ids)).map((w) => [w.id, w]));
      return ids.map((id) => found.get(id));
    });
    this.messageWrites = new Batcher(async (items) => {
      const stored = await this.websites.recordMessages(items);
      return this.storedFlags(
        items.map((item) => item.websiteId),
        stored,
      );
    });
    this.completions = new Batcher(async (uploadIds) => {
      await this.completeFinished([...new Set(uploadIds)]);
      return uploadIds.map(() => undefined);
    });
  }

  onModuleInit(): void {
    this.reconciler.register('uploads', () => this.reconcile());
  }

  // ------------------------------------------------------------------------------------------
  // extract
  // ------------------------------------------------------------------------------------------

  async enqueueExtract(upload: Pick<Upload, 'id' | 'generation'>): Promise<void> {
    await this.uploadJobs.add(
      'extract',
      { uploadId: upload.id, generation: upload.generation },
      { jobId: jobIds.extract(upload.id, upload.generation) },
    );
  }

  async extract(job: RunningJob<UploadJobs['extract']>): Promise<string> {
    const { uploadId, generation } = job.data;
    let upload = await this.uploads.findById(uploadId);
    if (!upload || upload.generation !== generation) return 'stale: the upload changed';
    if (upload.extractedAt) {
      await this.enqueueOpenWebsites(upload.id);
      return 'already extracted';
    }
    if (upload.processing.status === ProcessingStatus.Pending) {
      upload = await transitionEntity(
        this.uploads.entities,
        uploadId,
        ProcessingStatus.Processing,
        {
          step: 'extracting',
        },
      );
      if (!upload) return 'deleted';
    }
    if (upload.processing.status !== ProcessingStatus.Processing)
      return `upload is ${upload.processing.status}`;

    // A crash mid-way left part of the rows: extraction starts over until it is complete.
    await this.websites.deleteForUpload(uploadId);
    const file = upload.fileId ? await this.storedFiles.findById(upload.fileId) : null;
    if (!file) {
      await this.fail(uploadId, 'The uploaded file is no longer stored; upload it again.');
      return 'file gone';
    }
    try {
      const counts = await this.readRows(
        upload,
        join(this.config.app.storageDir, file.storagePath),
        job.signal,
      );
      await this.websites.countRowsPerWebsite(uploadId);
      await this.uploads.entities.update(
        { id: uploadId, generation },
        {
          rowCount: counts.rows,
          rowsWithoutWebsite: counts.rows - counts.withWebsite,
          websiteColumn: counts.websiteColumn,
          extractedAt: new Date(),
        },
      );
      if (counts.websites === 0) {
        await this.completeFinished([uploadId]);
      } else {
        await this.enqueueOpenWebsites(uploadId);
      }
      return `${counts.rows} rows, ${counts.websites} websites`;
    } catch (error) {
      if (job.signal.aborted) throw error;
      const expected = (error as { getStatus?: () => number }).getStatus?.() === 422;
      if (!expected && job.attemptsMade + 1 < 3) throw error;
      // A broken or oversized sheet (or the last attempt): nothing half-written stays behind.
      await this.websites.deleteForUpload(uploadId);
      await this.fail(uploadId, (error as Error).message);
      return 'failed';
    }
  }

  private async readRows(upload: Upload, path: string, signal: AbortSignal) {
    const sheet = await this.spreadsheets.open({ path, format: upload.fileFormat });
    const extractor = new WebsiteExtractor(sheet.headers);
    const byKey = new Map<string, string>();
    let rowIndex = 0;
    let withWebsite = 0;
    try {
      for await (const batch of sheet.batches(ROW_BATCH)) {
        if (signal.aborted) throw signal.reason as Error;
        const newWebsites: NewWebsite[] = [];
        const rows: NewRow[] = batch.map((row) => {
          const index = rowIndex++;
          const found = extractor.extract(row.cells);
          if (!found.website) {
            return {
              uploadId: upload.id,
              rowIndex: index,
              rowNumber: row.number,
              cells: [...row.cells],
              websiteId: null,
              websiteSource: null,
              noWebsiteReason: found.reason,
            };
          }
          withWebsite++;
          let websiteId = byKey.get(found.website.dedupeKey);
          if (!websiteId) {
            websiteId = randomUUID();
            byKey.set(found.website.dedupeKey, websiteId);
            newWebsites.push({
              id: websiteId,
              uploadId: upload.id,
              position: byKey.size,
              url: found.website.url,
              host: found.website.host,
              dedupeKey: found.website.dedupeKey,
              source: found.website.source,
              sourceColumn: found.website.column,
              firstRow: index,
            });
          }
          return {
            uploadId: upload.id,
            rowIndex: index,
            rowNumber: row.number,
            cells: [...row.cells],
            websiteId,
            websiteSource: `${found.website.source}:${found.website.column}`,
            noWebsiteReason: null,
          };
        });
        await this.websites.insertWebsites(newWebsites);
        await this.websites.insertRows(rows);
      }
    } finally {
      await sheet.close();
    }
    return {
      rows: rowIndex,
      withWebsite,
      websites: byKey.size,
      websiteColumn: extractor.websiteColumn,
    };
  }

  /** Enqueues a scrape for every pending website and a message for every scraped one. */
  async enqueueOpenWebsites(uploadId: string): Promise<void> {
    const pending = await this.websites.websiteIdsWithStatus(uploadId, 'pending', LIVE_UPLOAD);
    await this.scrapeJobs.addBulk(
      'scrape',
      pending.map((w) => ({
        payload: { websiteId: w.id, run: w.run },
        options: { jobId: jobIds.scrape(w.id, w.run) },
      })),
    );
    const scraped = await this.websites.websiteIdsWithStatus(uploadId, 'scraped', [
      ProcessingStatus.Processing,
    ]);
    await this.messageJobs.addBulk(
      'message',
      scraped.map((w) => ({
        payload: { websiteId: w.id, run: w.run },
        options: { jobId: jobIds.message(w.id, w.run) },
      })),
    );
  }

  // ------------------------------------------------------------------------------------------
  // scrape
  // ------------------------------------------------------------------------------------------

  async scrape(job: RunningJob<ScrapeJobs['scrape']>): Promise<string> {
    const { websiteId, run } = job.data;
    // Every running job listens to the one shutdown signal (fetches, politeness waits).
    if (getMaxListeners(job.signal) < 1000) setMaxListeners(1000, job.signal);
    const site = await this.scrapeLoads.run(websiteId);
    if (!site || site.run !== run) return 'stale';
    if (site.status !== 'pending') return `already ${site.status}`;
    if (!LIVE_UPLOAD.includes(site.uploadStatus)) return `upload is ${site.uploadStatus}`;
    try {
      let item: ScrapeToRecord;
      const cached =
        site.refresh || this.config.uploads.scrape.cacheMs === 0
          ? undefined
          : await this.cacheLookups.run(site.url);
      if (cached) {
        item = { websiteId, run, scrapeId: cached, record: null };
      } else {
        const record = await this.scraper.scrape(site.url, job.signal);
        item = { websiteId, run, scrapeId: randomUUID(), record };
      }
      const stored = await this.scrapeWrites.run(item);
      if (!stored) return 'stored by another run';
      await this.messageJobs.add(
        'message',
        { websiteId, run },
        { jobId: jobIds.message(websiteId, run) },
      );
      return item.record ? item.record.outcome : 'cached';
    } catch (error) {
      if (job.signal.aborted || job.attemptsMade + 1 < SCRAPE_ATTEMPTS) throw error;
      await this.giveUp(
        websiteId,
        run,
        'pending',
        `Could not be scraped: ${(error as Error).message}`,
      );
      return 'failed';
    }
  }

  // ------------------------------------------------------------------------------------------
  // message
  // ------------------------------------------------------------------------------------------

  async message(job: RunningJob<MessageJobs['message']>): Promise<string> {
    const { websiteId, run } = job.data;
    const site = await this.messageLoads.run(websiteId);
    if (!site || site.run !== run) return 'stale';
    if (site.status !== 'scraped') return `already ${site.status}`;
    // A paused upload (quota) keeps its scraped websites for when it resumes.
    if (site.uploadStatus !== ProcessingStatus.Processing) return `upload is ${site.uploadStatus}`;
    const plan = planMessage(
      site,
      this.config.uploads.messages.defaultOffer,
      this.config.uploads.messages.maxTokens,
    );
    try {
      const result = await this.llm.complete({ ...plan.request, signal: job.signal });
      const stored = await this.messageWrites.run({
        websiteId,
        run,
        message: result.text.trim(),
        basis: plan.basis,
        note: plan.note,
        snippets: plan.snippets,
        model: result.model,
        provider: result.provider,
      });
      if (stored) await this.completions.run(site.uploadId);
      return stored ? plan.basis : 'stored by another run';
    } catch (error) {
      if (job.signal.aborted) throw error;
      if (error instanceof QuotaExhaustedError) {
        await this.pause(
          site.uploadId,
          `The LLM quota is exhausted (${error.message}). Messages written so far are kept; use "Retry" to go on${error.resetAt ? ` after ${error.resetAt.toISOString()}` : ''}.`,
        );
        return 'paused: quota';
      }
      const retryable = !(error instanceof LlmError) || error.retryable;
      if (retryable && job.attemptsMade + 1 < MESSAGE_ATTEMPTS) throw error;
      await this.giveUp(
        websiteId,
        run,
        'scraped',
        `The message could not be written: ${(error as Error).message}`,
      );
      return 'failed';
    }
  }

  // ------------------------------------------------------------------------------------------
  // the upload as a whole
  // ------------------------------------------------------------------------------------------

  private async giveUp(websiteId: string, run: number, from: 'pending' | 'scraped', error: string) {
    this.logger.warn(`website ${websiteId}: ${error}`);
    const marked = await this.websites.markFailed(websiteId, run, from, error);
    if (marked) await this.completions.run(marked.uploadId);
  }

  /** Completes every processing upload among these whose websites are all done or failed. */
  async completeFinished(uploadIds?: string[]): Promise<number> {
    const finished = await this.uploads.findFinished(uploadIds);
    for (const id of finished) {
      await transitionEntity(this.uploads.entities, id, ProcessingStatus.Completed).catch(
        (error) => {
          if (!(error instanceof IllegalTransitionError)) throw error;
        },
      );
    }
    return finished.length;
  }

  private async fail(uploadId: string, error: string): Promise<void> {
    await transitionEntity(this.uploads.entities, uploadId, ProcessingStatus.Failed, {
      error,
    }).catch((cause) => {
      if (!(cause instanceof IllegalTransitionError)) throw cause;
    });
  }

  private async pause(uploadId: string, reason: string): Promise<void> {
    await transitionEntity(this.uploads.entities, uploadId, ProcessingStatus.Paused, {
      error: reason,
    }).catch((cause) => {
      if (!(cause instanceof IllegalTransitionError)) throw cause;
    });
  }

  private storedFlags(ids: string[], stored: StoredResult[]): boolean[] {
    const moved = new Set(stored.map((row) => row.id));
    return ids.map((id) => moved.has(id));
  }

  /**
   * DESIGN.md 2a: whatever Postgres says is open gets a live job (ensureQueued adds only what
   * Redis lacks), uploads whose websites are all finished complete, and scrapes that no website
   * uses any more and that are past the cache time are deleted.
   */
  async reconcile(): Promise<number> {
    let enqueued = 0;
    for (const upload of await this.uploads.findUnextracted()) {
      if (
        await this.uploadJobs.ensureQueued(
          'extract',
          { uploadId: upload.id, generation: upload.generation },
          jobIds.extract(upload.id, upload.generation),
        )
      )
        enqueued++;
    }
    for (const w of await this.websites.websiteIdsWithStatus(null, 'pending', LIVE_UPLOAD)) {
      if (
        await this.scrapeJobs.ensureQueued(
          'scrape',
          { websiteId: w.id, run: w.run },
          jobIds.scrape(w.id, w.run),
        )
      )
        enqueued++;
    }
    for (const w of await this.websites.websiteIdsWithStatus(null, 'scraped', [
      ProcessingStatus.Processing,
    ])) {
      if (
        await this.messageJobs.ensureQueued(
          'message',
          { websiteId: w.id, run: w.run },
          jobIds.message(w.id, w.run),
        )
      )
        enqueued++;
    }
    await this.completeFinished();
    await this.websites.deleteUnusedScrapes(
      new Date(Date.now() - Math.max(this.config.uploads.scrape.cacheMs, 3_600_000)),
    );
    return enqueued;
  }
}
