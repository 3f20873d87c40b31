import { Controller, Get, HttpException, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { ArticlesService } from './articles.service.js';
import { ANALYZE_UPLOAD } from './articles.upload.js';
import { costChart } from './cost-chart.js';
import type { ArticleDetailResponseDto, ArticleResponseDto } from './dto/index.js';

const LIVE: string[] = [ProcessingStatus.Pending, ProcessingStatus.Processing];

const STEP_LABELS: Record<string, string> = {
  queued: 'Queued',
  extracting_metadata: 'Extracting the weight…',
  generating_cost_models: 'Generating the cost model…',
};

/** The articles list with the submit form, and one article's page with live status. */
@ApiExcludeController()
@Controller('articles')
export class ArticlesPagesController {
  constructor(private readonly articles: ArticlesService) {}

  @Get()
  async index(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const { items, total } = await this.articles.list(user, 100, 0);
    const articles = items.map((a) => this.view(a));
    res.setHeader('Cache-Control', 'no-store');
    res.render('articles/index', {
      title: 'Articles',
      articles,
      total,
      anyLive: articles.some((a) => a.live),
    });
  }

  /** The form without JavaScript; the page script posts to /api/analyze instead. */
  @Post()
  @RateLimit('upload')
  @FileUpload(ANALYZE_UPLOAD)
  async submit(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof ANALYZE_UPLOAD>,
    @Res() res: Response,
  ): Promise<void> {
    const created = await this.articles.create(user, intake);
    res.redirect(303, created.links.page);
  }

  @Get(':id')
  async detail(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.renderDetail(res, await this.articles.get(id, user), 200, null);
  }

  @Post(':id/reprocess')
  async reprocess(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    try {
      await this.articles.reprocess(id, user);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      await this.renderDetail(
        res,
        await this.articles.get(id, user),
        error.getStatus(),
        error.message,
      );
      return;
    }
    res.redirect(303, `/articles/${id}`);
  }

  @Post(':id/delete')
  async delete(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.articles.delete(id, user);
    res.redirect(303, '/articles');
  }

  private async renderDetail(
    res: Response,
    article: ArticleDetailResponseDto,
    status: number,
    error: string | null,
  ): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('articles/detail', {
      title: article.article_name,
      article: this.view(article),
      chart: article.cost_models.length > 0 ? costChart(article.cost_models) : null,
      parts: article.cost_models.map((p) => ({ ...p, share: `${(p.part * 100).toFixed(1)}%` })),
      offline: article.provider === 'offline',
      error,
    });
  }

  private view<T extends ArticleResponseDto>(article: T) {
    return {
      ...article,
      live: LIVE.includes(article.processing_status),
      stepLabel: article.processing_step ? (STEP_LABELS[article.processing_step] ?? '') : '',
      weightLabel: article.unit_weight !== null ? `${article.unit_weight} kg` : '—',
    };
  }
}
