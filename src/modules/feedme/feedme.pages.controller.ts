import {
  Body,
  Controller,
  Get,
  HttpException,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import type { FeedmeExampleResponseDto, FeedmeSearchResponseDto } from './dto/feedme.dto.js';
import type { ReviewStatus } from './entities/feedme-example.entity.js';
import { FeedmeEnabledGuard } from './feedme-enabled.guard.js';
import { FeedmeService } from './feedme.service.js';
import { TRANSCRIPT_UPLOAD } from './feedme.upload.js';

interface ExampleForm {
  question?: unknown;
  answer?: unknown;
  context?: unknown;
  tags?: unknown;
  change_note?: unknown;
  expected_version?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const FINISHED: string[] = [
  ProcessingStatus.Completed,
  ProcessingStatus.Failed,
  ProcessingStatus.Cancelled,
];

/**
 * FeedMe's pages: transcripts (upload, live status), one transcript's examples, the example editor
 * with its history, diff and rollback, and a search page. Everything users wrote is escaped by
 * Handlebars; the one piece of markup shown as markup is an HTML transcript after sanitising.
 */
@ApiExcludeController()
@UseGuards(FeedmeEnabledGuard)
@Controller('feedme')
export class FeedmePagesController {
  constructor(private readonly feedme: FeedmeService) {}

  @Get()
  async index(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const list = await this.feedme.list(user, 100, 0);
    res.setHeader('Cache-Control', 'no-store');
    res.render('feedme/index', {
      title: 'FeedMe',
      conversations: list.conversations.map((c) => ({
        ...c,
        live:
          !FINISHED.includes(c.processing_status) &&
          c.processing_status !== ProcessingStatus.Pending,
      })),
      total: list.total,
    });
  }

  /** The upload form without JavaScript: the same intake and limits as the API. */
  @Post('upload')
  @RateLimit('upload')
  @FileUpload(TRANSCRIPT_UPLOAD)
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof TRANSCRIPT_UPLOAD>,
    @Res() res: Response,
  ): Promise<void> {
    const created = await this.feedme.upload(user, intake.files.transcript_file, {
      title: intake.text.title,
      autoProcess: intake.text.auto_process ?? false,
    });
    res.redirect(303, `/feedme/conversations/${created.id}`);
  }

  @Get('search')
  async search(
    @CurrentUser() user: AuthUser,
    @Query('q') q: string | undefined,
    @Query('threshold') threshold: string | undefined,
    @Query('tags') tags: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const query = (q ?? '').trim().slice(0, 2000);
    const cut =
      threshold === undefined || threshold === ''
        ? undefined
        : Math.min(1, Math.max(0, Number(threshold) || 0));
    const tagList = (tags ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
      .slice(0, 20);
    let result: FeedmeSearchResponseDto | null = null;
    if (query)
      result = await this.feedme.search(user, {
        query,
        top_k: 10,
        threshold: cut,
        tags: tagList.length ? tagList : undefined,
      });
    res.setHeader('Cache-Control', 'no-store');
    res.render('feedme/search', {
      title: 'Search the knowledge base',
      q: query,
      threshold: cut ?? '',
      tags: tagList.join(', '),
      searched: result !== null,
      results:
        result?.results.map((r) => ({ ...r, scorePercent: Math.round(r.score * 100) })) ?? [],
      usedThreshold: result?.threshold ?? null,
    });
  }

  @Get('conversations/:id')
  async conversation(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.renderConversation(res, user, id, 200, null);
  }

  @Post('conversations/:id/reprocess')
  async reprocess(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    try {
      await this.feedme.reprocess(id, user);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      await this.renderConversation(res, user, id, error.getStatus(), error.message);
      return;
    }
    res.redirect(303, `/feedme/conversations/${id}`);
  }

  @Post('conversations/:id/delete')
  async delete(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.feedme.delete(id, user);
    res.redirect(303, '/feedme');
  }

  @Get('examples/:id')
  async example(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.renderExample(res, user, id, 200, null, {
      from: Number(from) || undefined,
      to: Number(to) || undefined,
    });
  }

  @Post('examples/:id')
  edit(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() form: ExampleForm,
    @Res() res: Response,
  ) {
    return this.act(res, user, id, () =>
      this.feedme.editExample(id, user, {
        question: text(form.question)?.trim(),
        answer: text(form.answer)?.trim(),
        context: text(form.context),
        tags: text(form.tags)?.split(',') ?? undefined,
        change_note: text(form.change_note)?.trim() || undefined,
        expected_version: Number(form.expected_version) || undefined,
      }),
    );
  }

  @Post('examples/:id/rollback')
  rollback(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() form: { version?: unknown },
    @Res() res: Response,
  ) {
    return this.act(res, user, id, () =>
      this.feedme.rollback(id, user, Number(form.version), 'rolled back from the page'),
    );
  }

  @Post('examples/:id/review')
  review(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() form: { review_status?: unknown },
    @Res() res: Response,
  ) {
    const status = text(form.review_status);
    return this.act(res, user, id, async () => {
      if (status !== 'approved' && status !== 'rejected' && status !== 'pending')
        throw new HttpException('review_status must be approved, rejected or pending', 400);
      return this.feedme.review(id, user, status as ReviewStatus);
    });
  }

  /** Runs an editor action; a refusal (400, 409) is shown on the editor, not as an error page. */
  private async act(
    res: Response,
    user: AuthUser,
    id: string,
    action: () => Promise<FeedmeExampleResponseDto>,
  ): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      const body = error.getResponse() as { message?: string | string[] };
      const message = Array.isArray(body.message)
        ? body.message.join('; ')
        : (body.message ?? error.message);
      await this.renderExample(res, user, id, error.getStatus(), message, {});
      return;
    }
    res.redirect(303, `/feedme/examples/${id}`);
  }

  private async renderConversation(
    res: Response,
    user: AuthUser,
    id: string,
    status: number,
    error: string | null,
  ): Promise<void> {
    const conversation = await this.feedme.get(id, user);
    const html = await this.feedme.transcriptHtml(id, user);
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('feedme/conversation', {
      title: conversation.title,
      conversation,
      live: conversation.processing_status === ProcessingStatus.Processing,
      canReprocess: conversation.processing_status !== ProcessingStatus.Processing,
      // Sanitised on upload (html-transcript.ts): no scripts, handlers, frames or javascript: URLs.
      transcriptHtml: html,
      error,
    });
  }

  private async renderExample(
    res: Response,
    user: AuthUser,
    id: string,
    status: number,
    error: string | null,
    range: { from?: number; to?: number },
  ): Promise<void> {
    const example = await this.feedme.getExample(id, user);
    const versions = await this.feedme.versions(id, user);
    const diff =
      example.version > 1 || range.from
        ? await this.feedme.diff(id, user, range.from, range.to).catch(() => null)
        : null;
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('feedme/example', {
      title: 'Edit example',
      example: { ...example, tagList: example.tags.join(', ') },
      versions: versions.map((v) => ({
        ...v,
        current: v.version === example.version,
        canRollback: v.version !== example.version,
      })),
      diff: diff && {
        ...diff,
        fields: diff.fields.map((f) => ({
          ...f,
          parts: f.parts.map((p) => ({
            ...p,
            insert: p.op === 'insert',
            delete: p.op === 'delete',
          })),
        })),
      },
      error,
    });
  }
}
