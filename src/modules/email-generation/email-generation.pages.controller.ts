import { Body, Controller, Get, HttpException, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { FINISHED_STATUSES, ProcessingStatus } from '../../core/processing/processing-status.js';
import type { EmailJobResponseDto, EmailPreviewResponseDto } from './dto/email-job.dto.js';
import { DEFAULT_TEMPLATE } from './email-prompt.js';
import { EmailGenerationService } from './email-generation.service.js';
import { LEAD_FILE_UPLOAD } from './email-generation.upload.js';

interface SettingsForm {
  template?: unknown;
  offer?: unknown;
  rows?: unknown;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** The job list with the upload form, one job's page (live progress, controls), the preview page. */
@ApiExcludeController()
@Controller('email-generation')
export class EmailGenerationPagesController {
  constructor(private readonly emails: EmailGenerationService) {}

  @Get()
  async index(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const jobs = (await this.emails.list(user, 100, 0)).map((job) => this.view(job));
    res.setHeader('Cache-Control', 'no-store');
    res.render('email-generation/index', {
      title: 'Emails',
      jobs,
      defaultTemplate: DEFAULT_TEMPLATE,
      anyLive: jobs.some((job) => job.live),
    });
  }

  /** The form without JavaScript; the page script posts to the API instead. */
  @Post()
  @RateLimit('upload')
  @FileUpload(LEAD_FILE_UPLOAD)
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof LEAD_FILE_UPLOAD>,
    @Res() res: Response,
  ): Promise<void> {
    const job = await this.emails.create(user, intake.files.file, {
      template: intake.text.template,
      offer: intake.text.offer,
      senderRole: intake.text.sender_role,
      budgetUsd: intake.text.budget_usd,
      autoStart: intake.text.auto_start,
    });
    res.redirect(
      303,
      job.status === ProcessingStatus.Pending ? `${job.links.page}/preview` : job.links.page,
    );
  }

  @Get(':id')
  async detail(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    await this.renderDetail(res, user, id, 200, null);
  }

  @Get(':id/preview')
  async previewPage(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    await this.renderPreview(res, await this.emails.get(id, user), null, null);
  }

  @Post(':id/preview')
  async preview(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() form: SettingsForm,
    @Res() res: Response,
  ): Promise<void> {
    const job = await this.emails.get(id, user);
    try {
      const preview = await this.emails.preview(id, user, {
        template: text(form.template),
        offer: text(form.offer),
        rows: Number(form.rows) || 3,
      });
      await this.renderPreview(res, job, preview, null, form);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      await this.renderPreview(res, job, null, error.message, form, error.getStatus());
    }
  }

  @Post(':id/start')
  start(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() form: SettingsForm,
    @Res() res: Response,
  ) {
    return this.act(res, user, id, () =>
      this.emails.start(id, user, { template: text(form.template), offer: text(form.offer) }),
    );
  }

  @Post(':id/pause')
  pause(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    return this.act(res, user, id, () => this.emails.pause(id, user));
  }

  @Post(':id/resume')
  resume(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    return this.act(res, user, id, () => this.emails.resume(id, user));
  }

  @Post(':id/cancel')
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    return this.act(res, user, id, () => this.emails.cancel(id, user));
  }

  @Post(':id/retry-failed')
  retry(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    return this.act(res, user, id, () => this.emails.retryFailed(id, user));
  }

  @Post(':id/rerun')
  rerun(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() form: SettingsForm,
    @Res() res: Response,
  ) {
    return this.act(res, user, id, () =>
      this.emails.rerun(id, user, text(form.template) ?? '', text(form.offer)),
    );
  }

  /** Runs a page action; a refusal (409, 400) is shown on the job's page, not as an error page. */
  private async act(res: Response, user: AuthUser, id: string, action: () => Promise<unknown>) {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      await this.renderDetail(res, user, id, error.getStatus(), error.message);
      return;
    }
    res.redirect(303, `/email-generation/${id}`);
  }

  private async renderDetail(
    res: Response,
    user: AuthUser,
    id: string,
    status: number,
    error: string | null,
  ) {
    const job = this.view(await this.emails.get(id, user));
    const [samples, failures] = await Promise.all([
      this.emails.latestEmails(id, user, 5),
      this.emails.rowsOf(id, user, 'failed', 20, 0),
    ]);
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('email-generation/detail', {
      title: job.file_name,
      job,
      samples,
      failures,
      error,
      isPaused: job.status === ProcessingStatus.Paused,
      isRunning: job.status === ProcessingStatus.Processing,
      isPending: job.status === ProcessingStatus.Pending,
      canRetry: job.failed > 0 && job.status !== ProcessingStatus.Cancelled,
      canRerun: !job.live || job.status === ProcessingStatus.Paused,
    });
  }

  private async renderPreview(
    res: Response,
    job: EmailJobResponseDto,
    preview: EmailPreviewResponseDto | null,
    error: string | null,
    form: SettingsForm = {},
    status = 200,
  ) {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('email-generation/preview', {
      title: `Preview · ${job.file_name}`,
      job: this.view(job),
      rows: preview?.rows ?? [],
      hasPreview: preview !== null,
      template: text(form.template) ?? job.template,
      offer: text(form.offer) ?? job.offer ?? '',
      error,
      isPending: job.status === ProcessingStatus.Pending,
    });
  }

  private view(job: EmailJobResponseDto) {
    return { ...job, live: !FINISHED_STATUSES.includes(job.status) };
  }
}
