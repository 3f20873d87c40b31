import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  UnprocessableEntityException,
  type OnModuleInit,
} from '@nestjs/common';
import type { Response } from 'express';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthUser } from '../../core/auth/auth-user.js';
import type { Owner } from '../../core/auth/owner-scope.js';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import {
  SpreadsheetService,
  StoredFilesRepository,
  type CellValue,
  type StoredUpload,
} from '../../core/files/index.js';
import { initialState, transition } from '../../core/processing/processing-state.js';
import { ProcessingStatus, canTransition } from '../../core/processing/processing-status.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import { WebRegistry } from '../../core/web/web-registry.js';
import type {
  UploadDetailResponseDto,
  UploadResponseDto,
  UploadWebsiteDto,
} from './dto/upload.dto.js';
import { Upload } from './entities/upload.entity.js';
import { DEFAULT_TEMPLATE, unknownPlaceholders } from './messages/message-prompt.js';
import { UploadPipeline } from './upload-pipeline.service.js';
import { UploadWebsitesRepository } from './upload-websites.repository.js';
import { NO_WEBSITES, UploadsRepository, type WebsiteCounts } from './uploads.repository.js';
import {
  MESSAGE_QUEUE,
  SCRAPE_QUEUE,
  jobIds,
  type MessageJobs,
  type ScrapeJobs,
} from './uploads.jobs.js';

export interface UploadOptions {
  template?: string;
  offer?: string;
}

export const RESULT_COLUMNS = [
  'Website',
  'Website found in',
  'No website because',
  'Scrape status',
  'Scrape detail',
  'Page title',
  'Message',
  'Message basis',
];

/** The API side of uploads: create, read (counts from one source), retry, reprocess, delete, download. */
@Injectable()
export class UploadsService implements OnModuleInit {
  private readonly logger = new Logger('Uploads');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uploads: UploadsRepository,
    private readonly websites: UploadWebsitesRepository,
    private readonly pipeline: UploadPipeline,
    private readonly spreadsheets: SpreadsheetService,
    private readonly storedFiles: StoredFilesRepository,
    private readonly web: WebRegistry,
    @InjectJobQueue(SCRAPE_QUEUE) private readonly scrapeJobs: JobQueue<ScrapeJobs>,
    @InjectJobQueue(MESSAGE_QUEUE) private readonly messageJobs: JobQueue<MessageJobs>,
  ) {}

  onModuleInit(): void {
    this.web.addNav({ label: 'Uploads', href: '/uploads', order: 30 });
    this.web.addRecentWork('uploads', async (limit, ownerId) => {
      if (!ownerId) return [];
      const list = await this.list({ id: ownerId }, limit, 0);
      return list.map((upload) => ({
        module: 'Uploads',
        title: upload.fileName,
        status: upload.status,
        href: upload.links.page,
        updatedAt: upload.completedAt ?? upload.startedAt ?? upload.createdAt,
        detail: `${upload.progress.done} / ${upload.progress.total} websites · ${upload.counts.messages} messages`,
      }));
    });
  }

  /**
   * Checks the sheet (a header and at least one data row; a bad file is a 422 and nothing is
   * kept), records the upload and starts processing at once: there is no manual step.
   */
  async create(
    user: AuthUser,
    file: StoredUpload,
    options: UploadOptions,
  ): Promise<UploadResponseDto> {
    if (file.kind !== 'csv' && file.kind !== 'xlsx')
      throw new UnprocessableEntityException(`The file is ${file.kind}, not a spreadsheet.`);
    const sheet = await this.spreadsheets.open(file);
    let hasRow = false;
    try {
      for await (const _row of sheet) {
        hasRow = true;
        break;
      }
    } finally {
      await sheet.close();
    }
    const headers = sheet.headers;
    if (!hasRow)
      throw new UnprocessableEntityException(
        `The file has a header row (${headers.slice(0, 5).join(', ')}${headers.length > 5 ? ', ...' : ''}) but no data rows.`,
      );
    const template = this.checkTemplate(options.template || DEFAULT_TEMPLATE, headers);
    const upload = await this.uploads.insertOwned(user, {
      fileId: file.file.id,
      fileName: file.file.originalName,
      fileFormat: file.kind,
      headers: [...headers],
      template,
      offer: options.offer || null,
      processing: initialState(),
    });
    await this.startExtraction(upload);
    return this.toResponse(upload, NO_WEBSITES);
  }

  async list(owner: Owner, limit = 50, offset = 0): Promise<UploadResponseDto[]> {
    const uploads = await this.uploads.listPage(owner, limit, offset);
    const counts = await this.uploads.countsFor(uploads.map((u) => u.id));
    return uploads.map((upload) => this.toResponse(upload, counts.get(upload.id) ?? NO_WEBSITES));
  }

  async get(
    id: string,
    owner: Owner,
    websitesLimit = 500,
    websitesOffset = 0,
  ): Promise<UploadDetailResponseDto> {
    const upload = await this.uploads.getOwned(id, owner);
    const [counts, websites, skipped] = await Promise.all([
      this.uploads.countsFor([upload.id]),
      websitesLimit > 0 ? this.websites.listWebsites(upload.id, websitesLimit, websitesOffset) : [],
      this.websites.skippedRowReasons(upload.id),
    ]);
    return {
      ...this.toResponse(upload, counts.get(upload.id) ?? NO_WEBSITES),
      headers: upload.headers,
      websites: websites as unknown as UploadWebsiteDto[],
      rowsWithoutWebsite: skipped,
    };
  }

  /** Scrapes every failed website again (bypassing the cache) and resumes a paused upload. */
  async retry(id: string, owner: Owner): Promise<UploadResponseDto> {
    let upload = await this.uploads.getOwned(id, owner);
    if (upload.processing.status === ProcessingStatus.Pending || !upload.extractedAt)
      throw new ConflictException(
        'The upload is still being read; retry once its websites are listed.',
      );
    const counts = (await this.uploads.countsFor([upload.id])).get(upload.id) ?? NO_WEBSITES;
    if (
      counts.failed + counts.messageFailures === 0 &&
      upload.processing.status !== ProcessingStatus.Paused
    )
      throw new ConflictException('Nothing to retry: no website of this upload failed.');
    const reset = await this.websites.resetFailed(upload.id);
    upload = await this.reopen(upload);
    await this.scrapeJobs.addBulk(
      'scrape',
      reset.map((w) => ({
        payload: { websiteId: w.id, run: w.run },
        options: { jobId: jobIds.scrape(w.id, w.run) },
      })),
    );
    await this.pipeline.enqueueOpenWebsites(upload.id);
    return this.toResponse(
      upload,
      (await this.uploads.countsFor([upload.id])).get(upload.id) ?? NO_WEBSITES,
    );
  }

  /** Reads the file again from scratch (new rows, websites, scrapes from the cache where fresh). */
  async reprocess(id: string, owner: Owner): Promise<UploadResponseDto> {
    const upload = await this.uploads.getOwned(id, owner);
    if (!canTransition(upload.processing.status, ProcessingStatus.Pending))
      throw new ConflictException(
        `The upload is ${upload.processing.status}; reprocess it once it has finished (or retry its failed websites).`,
      );
    if (!upload.fileId || !(await this.storedFiles.findById(upload.fileId)))
      throw new ConflictException(
        'The uploaded file is no longer stored (files are kept for FILE_RETENTION_DAYS); upload it again.',
      );
    await this.websites.deleteForUpload(upload.id);
    const next = await this.uploads.entities.save({
      ...upload,
      generation: upload.generation + 1,
      extractedAt: null,
      rowCount: null,
      rowsWithoutWebsite: null,
      processing: transition(upload.processing, ProcessingStatus.Pending),
    });
    await this.startExtraction(next);
    return this.toResponse(next, NO_WEBSITES);
  }

  /** A new template (and offer): every message is written again with it. */
  async updateTemplate(
    id: string,
    owner: Owner,
    template: string,
    offer?: string,
  ): Promise<UploadResponseDto> {
    let upload = await this.uploads.getOwned(id, owner);
    upload.template = this.checkTemplate(template, upload.headers);
    if (offer !== undefined) upload.offer = offer || null;
    await this.uploads.entities.update(
      { id: upload.id },
      { template: upload.template, offer: upload.offer },
    );
    if (upload.extractedAt) {
      const reset = await this.websites.resetMessages(upload.id);
      if (reset.length > 0) {
        upload = await this.reopen(upload);
        await this.messageJobs.addBulk(
          'message',
          reset.map((w) => ({
            payload: { websiteId: w.id, run: w.run },
            options: { jobId: jobIds.message(w.id, w.run) },
          })),
        );
      }
    }
    return this.toResponse(
      upload,
      (await this.uploads.countsFor([upload.id])).get(upload.id) ?? NO_WEBSITES,
    );
  }

  /** Deletes the upload, its rows, websites and stored file. Jobs still queued find nothing. */
  async delete(id: string, owner: Owner): Promise<void> {
    const upload = await this.uploads.getOwned(id, owner);
    await this.uploads.deleteOwned(upload.id, owner);
    if (upload.fileId) {
      const file = await this.storedFiles.findById(upload.fileId);
      if (file) {
        await this.storedFiles.deleteByIds([file.id]);
        await rm(join(this.config.app.storageDir, file.storagePath), { force: true });
      }
    }
  }

  /** The original rows plus website, scrape status and message, as XLSX or CSV. */
  async sendResults(
    id: string,
    owner: Owner,
    format: 'xlsx' | 'csv',
    res: Response,
  ): Promise<void> {
    const upload = await this.uploads.getOwned(id, owner);
    if (!upload.extractedAt && upload.processing.status !== ProcessingStatus.Failed)
      throw new ConflictException(
        'The upload is still being read; results can be downloaded once its websites are listed.',
      );
    const columns = [
      ...upload.headers,
      ...RESULT_COLUMNS.map((name) =>
        upload.headers.includes(name) ? `${name} (Conveyor)` : name,
      ),
    ];
    const width = upload.headers.length;
    const rows = this.websites.resultRows(upload.id);
    async function* cells(): AsyncGenerator<CellValue[]> {
      for await (const row of rows) {
        const original = Array.from({ length: width }, (_, i) => row.cells[i] ?? '');
        yield [
          ...original,
          row.url ?? '',
          row.websiteSource?.replace(
            /^(\w+):(.*)$/,
            (_, source: string, column: string) => `${source} (${column})`,
          ) ?? '',
          row.noWebsiteReason ?? '',
          row.url ? (row.outcome ?? (row.status === 'failed' ? 'failed' : 'pending')) : '',
          row.outcomeDetail ?? row.error ?? '',
          row.title ?? '',
          row.message ?? '',
          row.messageBasis ?? '',
        ];
      }
    }
    const base = upload.fileName.replace(/\.(csv|xlsx)$/i, '');
    await this.spreadsheets.send(
      res,
      `${base}-results`,
      { format, columns, sheetName: 'Results' },
      cells(),
    );
  }

  private checkTemplate(template: string, headers: readonly string[]): string {
    const trimmed = template.trim();
    if (trimmed.length < 10 || trimmed.length > 4000)
      throw new BadRequestException('template must be 10 to 4000 characters');
    const unknown = unknownPlaceholders(trimmed, headers);
    if (unknown.length > 0)
      throw new BadRequestException(
        `The template uses ${unknown.map((name) => `{{${name}}}`).join(', ')}, which no column fills. Use {{company}}, {{website}}, {{offer}} or a column: ${headers.map((h) => `{{${h}}}`).join(', ')}.`,
      );
    return trimmed;
  }

  /** Back to processing (from completed, failed or paused) for more work on the same rows. */
  private async reopen(upload: Upload): Promise<Upload> {
    let state = upload.processing;
    if (state.status === ProcessingStatus.Processing) return upload;
    if (state.status !== ProcessingStatus.Paused)
      state = transition(state, ProcessingStatus.Pending);
    state = transition(state, ProcessingStatus.Processing, { step: 'retrying' });
    await this.uploads.entities.update({ id: upload.id }, { processing: state });
    return { ...upload, processing: state };
  }

  private async startExtraction(upload: Upload): Promise<void> {
    try {
      await this.pipeline.enqueueExtract(upload);
    } catch (error) {
      // The upload is stored: the reconciler enqueues it as soon as Redis answers again.
      this.logger.warn(
        `upload ${upload.id}: could not enqueue its extraction yet (${(error as Error).message})`,
      );
    }
  }

  toResponse(upload: Upload, counts: WebsiteCounts): UploadResponseDto {
    const done = counts.websites - counts.open;
    const status = upload.processing.status;
    const phase =
      status === ProcessingStatus.Completed ||
      status === ProcessingStatus.Failed ||
      status === ProcessingStatus.Cancelled
        ? 'finished'
        : status === ProcessingStatus.Pending
          ? 'queued'
          : !upload.extractedAt
            ? 'extracting'
            : counts.scraped < counts.websites
              ? 'scraping'
              : 'writing messages';
    return {
      id: upload.id,
      fileUploadId: upload.id,
      userId: upload.ownerId,
      fileName: upload.fileName,
      format: upload.fileFormat,
      status,
      phase,
      error: upload.processing.error,
      counts: {
        rows: upload.rowCount ?? 0,
        rowsWithoutWebsite: upload.rowsWithoutWebsite ?? 0,
        websitesFound: counts.websites,
        scraped: counts.scraped,
        scrapedOk: counts.scrapedOk,
        failed: counts.failed,
        messages: counts.messages,
        messageFailures: counts.messageFailures,
        pending: counts.open,
      },
      progress: {
        done,
        total: counts.websites,
        percent:
          counts.websites > 0
            ? Math.floor((done / counts.websites) * 100)
            : status === ProcessingStatus.Completed
              ? 100
              : 0,
      },
      websiteColumn: upload.websiteColumn,
      template: upload.template,
      offer: upload.offer,
      createdAt: upload.createdAt,
      startedAt: upload.processing.startedAt,
      completedAt: upload.processing.completedAt,
      links: {
        self: `/api/uploads/${upload.id}`,
        results: `/api/uploads/${upload.id}/results?format=xlsx`,
        page: `/uploads/${upload.id}`,
      },
    };
  }
}
