import { Body, Controller, Get, HttpException, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import type { UploadDetailResponseDto, UploadResponseDto } from './dto/upload.dto.js';
import { DEFAULT_TEMPLATE } from './messages/message-prompt.js';
import { COMPANY_LIST_UPLOAD } from './uploads.upload.js';
import { UploadsService } from './uploads.service.js';

interface TemplateForm {
  template?: unknown;
  offer?: unknown;
}

const FINISHED: string[] = [
  ProcessingStatus.Completed,
  ProcessingStatus.Failed,
  ProcessingStatus.Cancelled,
];

/** The uploads list (with the upload form) and one upload's page with its websites, live. */
@ApiExcludeController()
@Controller('uploads')
export class UploadsPagesController {
  constructor(private readonly uploads: UploadsService) {}

  @Get()
  async index(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.renderIndex(res, user, 200, null);
  }

  /** The form without JavaScript; the page script posts to /api/upload-from-frontend instead. */
  @Post()
  @RateLimit('upload')
  @FileUpload(COMPANY_LIST_UPLOAD)
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof COMPANY_LIST_UPLOAD>,
    @Res() res: Response,
  ): Promise<void> {
    const created = await this.uploads.create(user, intake.files.file, {
      template: intake.text.template,
      offer: intake.text.offer,
    });
    res.redirect(303, created.links.page);
  }

  @Get(':id')
  async detail(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.renderDetail(res, await this.uploads.get(id, user), 200, null);
  }

  @Post(':id/retry')
  retry(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    return this.act(res, user, id, () => this.uploads.retry(id, user));
  }

  @Post(':id/reprocess')
  reprocess(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    return this.act(res, user, id, () => this.uploads.reprocess(id, user));
  }

  @Post(':id/template')
  template(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() form: TemplateForm,
    @Res() res: Response,
  ) {
    const template = typeof form.template === 'string' ? form.template : '';
    const offer = typeof form.offer === 'string' ? form.offer.trim() : undefined;
    return this.act(res, user, id, () => this.uploads.updateTemplate(id, user, template, offer));
  }

  @Post(':id/delete')
  async delete(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.uploads.delete(id, user);
    res.redirect(303, '/uploads');
  }

  /** Runs a page action; a refusal (409, 400) is shown on the upload's page, not as an error page. */
  private async act(
    res: Response,
    user: AuthUser,
    id: string,
    action: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      await this.renderDetail(
        res,
        await this.uploads.get(id, user),
        error.getStatus(),
        error.message,
      );
      return;
    }
    res.redirect(303, `/uploads/${id}`);
  }

  private async renderIndex(
    res: Response,
    user: AuthUser,
    status: number,
    error: string | null,
  ): Promise<void> {
    const uploads = (await this.uploads.list(user, 100, 0)).map((upload) => this.view(upload));
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('uploads/index', {
      title: 'Uploads',
      uploads,
      error,
      defaultTemplate: DEFAULT_TEMPLATE,
      anyLive: uploads.some((upload) => upload.live),
    });
  }

  private async renderDetail(
    res: Response,
    upload: UploadDetailResponseDto,
    status: number,
    error: string | null,
  ): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('uploads/detail', {
      title: upload.fileName,
      upload: this.view(upload),
      websites: upload.websites.map((site) => ({
        ...site,
        badge: site.outcome ?? site.status,
        fallback: site.messageBasis === 'row-fields',
      })),
      rowsWithoutWebsite: upload.rowsWithoutWebsite,
      error,
      canRetry:
        upload.counts.failed + upload.counts.messageFailures > 0 ||
        upload.status === ProcessingStatus.Paused,
    });
  }

  private view<T extends UploadResponseDto>(upload: T) {
    return { ...upload, live: !FINISHED.includes(upload.status) };
  }
}
