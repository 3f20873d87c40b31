import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  UnprocessableEntityException,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import type { Owner } from '../../core/auth/owner-scope.js';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { SpreadsheetService, type CellValue, type StoredUpload } from '../../core/files/index.js';
import { countPromptTokens } from '../../core/llm/tokens.js';
import { estimateCostUsd } from '../../core/llm/usage/pricing.js';
import { initialState } from '../../core/processing/processing-state.js';
import { transitionEntity } from '../../core/processing/processing-transitions.js';
import { FINISHED_STATUSES, ProcessingStatus } from '../../core/processing/processing-status.js';
import { WebRegistry } from '../../core/web/web-registry.js';
import type {
  EmailJobResponseDto,
  EmailJobSettingsDto,
  EmailJobVersionDto,
  EmailPreviewResponseDto,
  EmailRowDto,
} from './dto/email-job.dto.js';
import { EmailGenerationPipeline } from './email-generation.pipeline.js';
import { EmailJobsRepository } from './email-jobs.repository.js';
import { DEFAULT_TEMPLATE, emailMessages, unknownPlaceholders } from './email-prompt.js';
import {
  EmailRowsRepository,
  type NewRow,
  type ResultRow,
  type RowStatus,
} from './email-rows.repository.js';
import { EmailWriter, type EmailJobSettings } from './email-writer.service.js';
import type { EmailJob } from './entities/email-job.entity.js';
import {
  detectColumns,
  leadValues,
  overrideColumns,
  unusableMapReason,
  type ColumnMap,
} from './lead-columns.js';

export interface EmailJobOptions {
  template?: string;
  offer?: string;
  senderRole?: string;
  /** JSON text from the form, or an object from a JSON body. */
  columnMap?: string | Record<string, unknown>;
  budgetUsd?: string | number;
  autoStart?: boolean;
}

/** Columns the download adds after the file's own. */
export const RESULT_COLUMNS = ['generated_email', 'status', 'error'];
const ROW_BATCH = 1000;
const ESTIMATE_SAMPLE = 20;

/** The API side: create a job from a file, read it, control it, preview it, download it. */
@Injectable()
export class EmailGenerationService implements OnModuleInit {
  private readonly logger = new Logger('EmailGeneration');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: EmailJobsRepository,
    private readonly rows: EmailRowsRepository,
    private readonly pipeline: EmailGenerationPipeline,
    private readonly writer: EmailWriter,
    private readonly spreadsheets: SpreadsheetService,
    private readonly web: WebRegistry,
  ) {}

  onModuleInit(): void {
    this.web.addNav({ label: 'Emails', href: '/email-generation', order: 20 });
    this.web.addRecentWork('email-generation', async (limit, ownerId) => {
      if (!ownerId) return [];
      const list = await this.list({ id: ownerId }, limit, 0);
      return list.map((job) => ({
        module: 'Emails',
        title: job.file_name,
        status: job.status,
        href: job.links.page,
        updatedAt: job.completed_at ?? job.started_at ?? job.created_at,
        detail: `${job.done} / ${job.total} emails`,
      }));
    });
  }

  /**
   * Reads the file and stores the job and every row in one transaction before answering (a bad
   * file keeps nothing), then queues the rows unless auto_start is false.
   */
  async create(
    owner: Owner,
    file: StoredUpload,
    options: EmailJobOptions,
  ): Promise<EmailJobResponseDto> {
    if (file.kind !== 'csv' && file.kind !== 'xlsx')
      throw new UnprocessableEntityException(`The file is ${file.kind}, not a spreadsheet.`);
    const sheet = await this.spreadsheets.open(file);
    let job: EmailJob;
    try {
      const headers = [...sheet.headers];
      const columnMap = this.columnMapFor(headers, options.columnMap);
      const settings = this.checkSettings(headers, options);
      job = await this.db.transaction(async (manager) => {
        const created = await manager.save(
          this.jobs.newOwned(owner, {
            fileId: file.file.id,
            fileName: file.file.originalName,
            fileFormat: file.kind as 'csv' | 'xlsx',
            headers,
            columnMap,
            ...settings,
            processing: initialState(),
          }),
        );
        let rowIndex = 0;
        const sample: string[][] = [];
        for await (const batch of sheet.batches(ROW_BATCH)) {
          const rows: NewRow[] = batch.map((row) => ({
            rowIndex: rowIndex++,
            rowNumber: row.number,
            cells: [...row.cells],
          }));
          for (const row of rows) if (sample.length < ESTIMATE_SAMPLE) sample.push(row.cells);
          await this.rows.insertRows(manager, created.id, rows);
        }
        if (rowIndex === 0)
          throw new UnprocessableEntityException(
            `The file has a header row (${headers.slice(0, 8).join(', ')}) but no data rows.`,
          );
        created.rowCount = rowIndex;
        created.estimatedCostUsd = this.estimateCost(created, sample);
        await manager.update(
          this.jobs.entities.target,
          { id: created.id },
          { rowCount: created.rowCount, estimatedCostUsd: created.estimatedCostUsd },
        );
        return created;
      });
    } finally {
      await sheet.close();
    }
    if (options.autoStart !== false) job = await this.pipeline.reopen(job, 'generating');
    return this.toResponse(job, 0);
  }

  async list(owner: Owner, limit = 50, offset = 0): Promise<EmailJobResponseDto[]> {
    const jobs = await this.jobs.listPage(owner, limit, offset);
    const rates = await this.jobs.ratesPerMinute(jobs.map((job) => job.id));
    return jobs.map((job) => this.toResponse(job, rates.get(job.id) ?? 0));
  }

  async get(id: string, owner: Owner): Promise<EmailJobResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    const rates = await this.jobs.ratesPerMinute([job.id]);
    return this.toResponse(job, rates.get(job.id) ?? 0);
  }

  async rowsOf(
    id: string,
    owner: Owner,
    status: RowStatus | null,
    limit: number,
    offset: number,
  ): Promise<EmailRowDto[]> {
    const job = await this.jobs.getOwned(id, owner);
    return (await this.rows.listRows(job.id, status, limit, offset)).map((row) =>
      this.toRow(job, row),
    );
  }

  async latestEmails(id: string, owner: Owner, limit: number): Promise<EmailRowDto[]> {
    const job = await this.jobs.getOwned(id, owner);
    return (await this.rows.latestEmails(job.id, limit)).map((row) => this.toRow(job, row));
  }

  /** The job's status each time it changes (checked every `everyMs`), until it is finished. */
  async *watch(id: string, owner: Owner, everyMs = 1000): AsyncGenerator<EmailJobResponseDto> {
    let last = '';
    for (;;) {
      const status = await this.get(id, owner);
      const text = JSON.stringify(status);
      if (text !== last) {
        last = text;
        yield status;
      }
      if (FINISHED_STATUSES.includes(status.status)) return;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  async versions(id: string, owner: Owner): Promise<EmailJobVersionDto[]> {
    const job = await this.jobs.getOwned(id, owner);
    return this.rows.versions(job.id);
  }

  /**
   * The first N rows written now, with the given settings (or the job's), nothing stored: for
   * tuning the template before the whole file is committed.
   */
  async preview(
    id: string,
    owner: Owner,
    settings: EmailJobSettingsDto & { rows?: number },
  ): Promise<EmailPreviewResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    const checked = this.checkSettings(job.headers, {
      template: settings.template ?? job.template,
      offer: settings.offer ?? job.offer ?? undefined,
      senderRole: settings.sender_role ?? job.senderRole,
    });
    const columnMap = settings.column_map
      ? this.columnMapFor(job.headers, settings.column_map, job.columnMap)
      : job.columnMap;
    const trial: EmailJobSettings = { ...job, ...checked, columnMap };
    const count = Math.min(settings.rows ?? 3, this.config.emailGeneration.previewMaxRows);
    const rows = await this.rows.firstRows(job.id, count);
    const results = await Promise.all(
      rows.map(async (row) => {
        const context = this.writer.context(trial, row.cells);
        const prompt = emailMessages(trial.template, context)[1].content;
        const base = {
          row_index: row.rowIndex,
          row_number: row.rowNumber,
          lead: this.leadOf(job.headers, row.cells),
          prompt,
        };
        try {
          const written = await this.writer.write(trial, row);
          return {
            ...base,
            status: 'done',
            generated_email: written.email,
            check_verdict: written.verdict,
            model: written.model,
            error: null,
            attempts: written.attempts,
            finished_at: null,
          };
        } catch (error) {
          return {
            ...base,
            status: 'failed',
            generated_email: null,
            check_verdict: null,
            model: null,
            error: (error as Error).message,
            attempts: 1,
            finished_at: null,
          };
        }
      }),
    );
    return { job_id: job.id, rows: results };
  }

  /** Starts a job uploaded with auto_start=false, optionally with new settings. */
  async start(
    id: string,
    owner: Owner,
    settings: EmailJobSettingsDto,
  ): Promise<EmailJobResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    if (job.processing.status !== ProcessingStatus.Pending)
      throw new ConflictException(
        `The job is ${job.processing.status}; only a job not yet started can be started.`,
      );
    await this.applySettings(job, settings);
    return this.toResponse(await this.pipeline.reopen(job, 'generating'), 0);
  }

  async pause(id: string, owner: Owner): Promise<EmailJobResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    if (job.processing.status !== ProcessingStatus.Processing)
      throw new ConflictException(
        `The job is ${job.processing.status}; only a running job can be paused.`,
      );
    await this.pipeline.pause(job.id, 'manual', 'Paused by hand. Emails written so far are kept.');
    return this.get(id, owner);
  }

  /** Resumes a paused job (after a quota stop, a budget stop or by hand); a new budget may be given. */
  async resume(id: string, owner: Owner, budgetUsd?: number): Promise<EmailJobResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    if (job.processing.status !== ProcessingStatus.Paused)
      throw new ConflictException(
        `The job is ${job.processing.status}; only a paused job can be resumed.`,
      );
    if (budgetUsd !== undefined) {
      job.budgetUsd = budgetUsd;
      await this.jobs.entities.update({ id: job.id }, { budgetUsd });
    }
    if (job.pauseReason === 'budget' && job.budgetUsd !== null && job.costUsd >= job.budgetUsd)
      throw new ConflictException(
        `The budget of $${job.budgetUsd} is spent ($${job.costUsd.toFixed(4)}); resume with a higher budget_usd.`,
      );
    return this.toResponse(await this.pipeline.reopen(job, 'generating'), 0);
  }

  async cancel(id: string, owner: Owner): Promise<EmailJobResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    if (FINISHED_STATUSES.includes(job.processing.status))
      throw new ConflictException(`The job is already ${job.processing.status}.`);
    await transitionEntity(this.jobs.entities, job.id, ProcessingStatus.Cancelled, {
      error: 'Cancelled by hand; rows not yet written stay pending.',
    });
    return this.get(id, owner);
  }

  async retryFailed(id: string, owner: Owner): Promise<EmailJobResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    if (
      job.processing.status === ProcessingStatus.Pending ||
      job.processing.status === ProcessingStatus.Cancelled
    )
      throw new ConflictException(
        `The job is ${job.processing.status}; start or re-run it instead.`,
      );
    const reset = await this.rows.resetFailed(job.id);
    if (reset === 0) throw new ConflictException('Nothing to retry: no row of this job failed.');
    await this.jobs.recount(job.id);
    return this.toResponse(await this.pipeline.reopen(job, 'retrying failed rows'), 0);
  }

  /** A new template version: the current results are kept per version, every row is written again. */
  async rerun(
    id: string,
    owner: Owner,
    template: string,
    offer?: string,
  ): Promise<EmailJobResponseDto> {
    const job = await this.jobs.getOwned(id, owner);
    if ([ProcessingStatus.Processing, ProcessingStatus.Pending].includes(job.processing.status))
      throw new ConflictException(
        `The job is ${job.processing.status}; pause or finish it before a re-run.`,
      );
    const checked = this.checkSettings(job.headers, {
      template,
      offer: offer ?? job.offer ?? undefined,
      senderRole: job.senderRole,
    });
    const version = job.version + 1;
    await this.rows.startVersion(job.id, job.version, job.template, version);
    await this.jobs.entities.update(
      { id: job.id },
      { template: checked.template, offer: checked.offer, version, queuedAt: null },
    );
    await this.jobs.recount(job.id);
    const next = (await this.jobs.findById(job.id))!;
    return this.toResponse(await this.pipeline.reopen(next, `version ${version}`), 0);
  }

  /**
   * The original columns in their order, then generated_email, status and error; every row, in
   * file order, streamed. A partial file says so in its name.
   */
  async download(id: string, owner: Owner, format: 'xlsx' | 'csv', res: Response): Promise<void> {
    const job = await this.jobs.getOwned(id, owner);
    const columns = [
      ...job.headers,
      ...RESULT_COLUMNS.map((name) => (job.headers.includes(name) ? `${name} (conveyor)` : name)),
    ];
    const width = job.headers.length;
    const source = this.rows.resultRows(job.id);
    async function* cells(): AsyncGenerator<CellValue[]> {
      for await (const row of source) {
        const original = Array.from({ length: width }, (_, i) => row.cells[i] ?? '');
        yield [...original, row.email ?? '', row.status, row.error ?? ''];
      }
    }
    const finished = job.doneCount + job.failedCount;
    const complete =
      job.processing.status === ProcessingStatus.Completed && finished >= job.rowCount;
    const base = job.fileName.replace(/\.(csv|xlsx)$/i, '');
    const name = complete
      ? `${base}-emails`
      : `${base}-emails-partial-${job.doneCount}-of-${job.rowCount}`;
    await this.spreadsheets.send(res, name, { format, columns, sheetName: 'Emails' }, cells());
  }

  // ------------------------------------------------------------------------------------------

  private columnMapFor(
    headers: string[],
    override: string | Record<string, unknown> | undefined,
    base?: ColumnMap,
  ): ColumnMap {
    let map = base ?? detectColumns(headers);
    if (override !== undefined && override !== '') {
      let parsed: unknown = override;
      if (typeof override === 'string') {
        try {
          parsed = JSON.parse(override);
        } catch {
          throw new BadRequestException(
            'column_map must be a JSON object, e.g. {"company": "Organisation"}.',
          );
        }
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new BadRequestException(
          'column_map must be a JSON object, e.g. {"company": "Organisation"}.',
        );
      try {
        map = overrideColumns(map, parsed as Record<string, unknown>, headers);
      } catch (error) {
        throw new BadRequestException((error as Error).message);
      }
    }
    const unusable = unusableMapReason(map, headers);
    if (unusable) throw new UnprocessableEntityException(unusable);
    return map;
  }

  private checkSettings(headers: readonly string[], options: EmailJobOptions) {
    const template = (options.template || DEFAULT_TEMPLATE).trim();
    if (template.length < 10 || template.length > 4000)
      throw new BadRequestException('template must be 10 to 4000 characters');
    const unknown = unknownPlaceholders(template, headers);
    if (unknown.length > 0)
      throw new BadRequestException(
        `template: ${unknown.map((name) => `{{${name}}}`).join(', ')} is filled by nothing. Use a lead field ({{first_name}}, {{company}}, {{title}}...), {{offer}}, {{sender_role}} or a column: ${headers.map((h) => `{{${h}}}`).join(', ')}.`,
      );
    let budgetUsd: number | null = null;
    if (options.budgetUsd !== undefined && options.budgetUsd !== '') {
      budgetUsd = Number(options.budgetUsd);
      if (!Number.isFinite(budgetUsd) || budgetUsd < 0)
        throw new BadRequestException(
          `budget_usd must be a non-negative number, got "${options.budgetUsd}".`,
        );
    }
    return {
      template,
      offer: options.offer?.trim() || this.config.emailGeneration.defaultOffer || null,
      senderRole: options.senderRole?.trim() || this.config.emailGeneration.defaultSenderRole,
      ...(budgetUsd !== null ? { budgetUsd } : {}),
    };
  }

  private async applySettings(job: EmailJob, settings: EmailJobSettingsDto): Promise<void> {
    const checked = this.checkSettings(job.headers, {
      template: settings.template ?? job.template,
      offer: settings.offer ?? job.offer ?? undefined,
      senderRole: settings.sender_role ?? job.senderRole,
      budgetUsd: settings.budget_usd,
    });
    const columnMap = settings.column_map
      ? this.columnMapFor(job.headers, settings.column_map, job.columnMap)
      : job.columnMap;
    Object.assign(job, checked, { columnMap });
    await this.jobs.entities.update({ id: job.id }, { ...checked, columnMap });
  }

  /** Rows x average tokens x the first model's price (null without a price, e.g. offline). */
  private estimateCost(job: EmailJob, sample: string[][]): number | null {
    if (this.config.llm.mode === 'offline' || sample.length === 0) return null;
    const prompts = sample.map((cells) =>
      countPromptTokens(
        emailMessages(job.template, {
          values: leadValues(job.columnMap, job.headers, cells),
          headers: job.headers,
          cells,
          offer: job.offer,
          senderRole: job.senderRole,
        }),
      ),
    );
    const averagePrompt = prompts.reduce((a, b) => a + b, 0) / prompts.length;
    return estimateCostUsd(
      this.config.llm.prices,
      this.config.llm.models[0],
      Math.round(averagePrompt * job.rowCount),
      this.config.emailGeneration.estimateCompletionTokens * job.rowCount,
    );
  }

  private leadOf(headers: readonly string[], cells: readonly string[]): Record<string, string> {
    return Object.fromEntries(headers.map((header, i) => [header, cells[i] ?? '']));
  }

  private toRow(job: EmailJob, row: ResultRow): EmailRowDto {
    return {
      row_index: row.rowIndex,
      row_number: row.rowNumber,
      lead: this.leadOf(job.headers, row.cells),
      status: row.status,
      generated_email: row.email,
      check_verdict: row.checkVerdict,
      model: row.model,
      error: row.error,
      attempts: row.attempts,
      finished_at: row.finishedAt,
    };
  }

  toResponse(job: EmailJob, ratePerMinute: number): EmailJobResponseDto {
    const finished = job.doneCount + job.failedCount;
    const pending = Math.max(0, job.rowCount - finished);
    const progress = job.rowCount > 0 ? Math.floor((finished / job.rowCount) * 100) : 0;
    const status = job.processing.status;
    const running = status === ProcessingStatus.Processing;
    const message =
      status === ProcessingStatus.Completed
        ? `Generated ${job.doneCount} emails${job.failedCount ? `; ${job.failedCount} rows failed` : ''}`
        : status === ProcessingStatus.Paused
          ? `Paused at ${finished} of ${job.rowCount} rows`
          : status === ProcessingStatus.Pending
            ? `${job.rowCount} rows stored; waiting to start`
            : `Generated ${job.doneCount} of ${job.rowCount} emails (${progress}%)`;
    return {
      job_id: job.id,
      file_name: job.fileName,
      format: job.fileFormat,
      status,
      message,
      progress,
      total: job.rowCount,
      done: job.doneCount,
      failed: job.failedCount,
      pending,
      rate_per_minute: ratePerMinute,
      eta_seconds: running && ratePerMinute > 0 ? Math.ceil((pending / ratePerMinute) * 60) : null,
      tokens: {
        prompt: job.promptTokens,
        completion: job.completionTokens,
        total: job.promptTokens + job.completionTokens,
      },
      cost_usd: job.costUsd,
      estimated_cost_usd: job.estimatedCostUsd,
      budget_usd: job.budgetUsd,
      pause_reason:
        status === ProcessingStatus.Paused
          ? (job.pauseReason as 'quota' | 'budget' | 'manual' | null)
          : null,
      error: job.processing.error,
      resume_at: job.resumeAt,
      version: job.version,
      template: job.template,
      offer: job.offer,
      sender_role: job.senderRole,
      column_map: job.columnMap as Record<string, string>,
      headers: job.headers,
      created_at: job.createdAt,
      started_at: job.processing.startedAt,
      completed_at: job.processing.completedAt,
      queued_at: job.queuedAt,
      links: {
        status: `/api/email-generation/status/${job.id}`,
        download: `/api/email-generation/download/${job.id}?format=xlsx`,
        events: `/api/email-generation/jobs/${job.id}/events`,
        page: `/email-generation/${job.id}`,
      },
    };
  }
}
