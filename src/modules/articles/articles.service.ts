import {
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { isUuid, notFound, type Owner } from '../../core/auth/owner-scope.js';
import { Batcher } from '../../core/database/batcher.js';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import {
  StoredFilesRepository,
  type StoredUpload,
  type UploadIntake,
} from '../../core/files/index.js';
import { initialState, transition } from '../../core/processing/processing-state.js';
import { ProcessingStatus, canTransition } from '../../core/processing/processing-status.js';
import { WebRegistry } from '../../core/web/web-registry.js';
import { ArticleAnalysis } from './article-analysis.service.js';
import type { ANALYZE_UPLOAD } from './articles.upload.js';
import {
  ArticlesRepository,
  type ArticleStatusRow,
  type CostModelRow,
} from './articles.repository.js';
import { CostIndicesRepository, type CostIndexInput } from './cost-indices.repository.js';
import type {
  ArticleCostModelsResponseDto,
  ArticleDetailResponseDto,
  ArticleListResponseDto,
  ArticleResponseDto,
  ArticleStatusResponseDto,
  ArticleStep,
  CostIndexResponseDto,
  CostModelPartDto,
} from './dto/index.js';
import type { Article } from './entities/article.entity.js';
import type { CostIndex } from './entities/cost-index.entity.js';

/** The API side of articles: create (and start the analysis), read, reprocess, delete. */
@Injectable()
export class ArticlesService implements OnModuleInit {
  private readonly logger = new Logger('Articles');
  /**
   * Submissions and status polls arrive by the dozen at once; each group shares one statement
   * (the embedded database does ~800 statements a second, DESIGN.md 2).
   */
  private readonly inserts: Batcher<Article, Article>;
  private readonly statusReads: Batcher<string, ArticleStatusRow | undefined>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly articles: ArticlesRepository,
    private readonly indices: CostIndicesRepository,
    private readonly analysis: ArticleAnalysis,
    private readonly storedFiles: StoredFilesRepository,
    private readonly web: WebRegistry,
  ) {
    this.inserts = new Batcher((items) => this.articles.insertMany(items));
    this.statusReads = new Batcher(async (ids) => {
      const found = await this.articles.statusMany([...new Set(ids)]);
      return ids.map((id) => found.get(id));
    });
  }

  onModuleInit(): void {
    this.web.addNav({ label: 'Articles', href: '/articles', order: 40 });
    this.web.addRecentWork('articles', async (limit, ownerId) => {
      if (!ownerId) return [];
      const { items } = await this.list({ id: ownerId }, limit, 0);
      return items.map((article) => ({
        module: 'Articles',
        title: article.article_name,
        status: article.processing_status,
        href: article.links.page,
        updatedAt: article.updated_at,
        detail:
          article.unit_weight !== null
            ? `${article.unit_weight} kg`
            : (article.processing_step ?? ''),
      }));
    });
  }

  /**
   * Seed 001's POST /analyze: the article is stored as `processing` (the seed's answer) and its
   * analysis queued in the same request. `processing_started_at` stays null until a worker takes
   * it, as in the seed's example.
   */
  async create(
    user: AuthUser,
    intake: UploadIntake<typeof ANALYZE_UPLOAD>,
  ): Promise<ArticleResponseDto> {
    const spec = intake.files.productSpecification;
    const drawing: StoredUpload | undefined = intake.files.drawing;
    const step: ArticleStep = 'queued';
    const article = await this.inserts.run(
      this.articles.newOwned(user, {
        articleName: intake.text.articleName.trim(),
        description: intake.text.description?.trim() || null,
        specificationFileId: spec.file.id,
        specificationFileName: spec.file.originalName,
        specificationKind: spec.kind,
        drawingFileId: drawing?.file.id ?? null,
        drawingFileName: drawing?.file.originalName ?? null,
        drawingKind: drawing?.kind ?? null,
        processing: { ...initialState(), status: ProcessingStatus.Processing, step },
      }),
    );
    try {
      await this.analysis.enqueue(article);
    } catch (error) {
      // The article is stored: the reconciler enqueues it as soon as Redis answers again.
      this.logger.warn(
        `article ${article.id}: could not enqueue its analysis yet (${(error as Error).message})`,
      );
    }
    return this.toResponse(article);
  }

  async status(id: string, owner: Owner): Promise<ArticleStatusResponseDto> {
    // The same 404 as getOwned for a malformed, missing or someone else's id.
    const row = isUuid(id) ? await this.statusReads.run(id.toLowerCase()) : undefined;
    if (!row || row.ownerId !== owner.id) throw notFound(this.articles.label);
    return statusOf({
      id: row.id,
      processing: {
        status: row.status,
        error: row.error,
        step: row.step,
        startedAt: row.startedAt,
        completedAt: row.completedAt,
        progressDone: null,
        progressTotal: null,
      },
    });
  }

  async list(owner: Owner, limit = 20, offset = 0): Promise<ArticleListResponseDto> {
    const [articles, total] = await this.articles.listPage(owner, limit, offset);
    return {
      items: articles.map((a) => this.toResponse(a)),
      total,
      limit,
      offset,
    };
  }

  async get(id: string, owner: Owner): Promise<ArticleDetailResponseDto> {
    const article = await this.articles.getOwned(id, owner);
    const models = await this.articles.costModelsOf([article.id]);
    return {
      ...this.toResponse(article),
      cost_models: partsDto(models.get(article.id) ?? []),
      cost_model_adjustments: article.costModelAdjustments,
      provider: article.costModelProvider ?? article.weightProvider,
    };
  }

  async costModels(id: string, owner: Owner): Promise<ArticleCostModelsResponseDto> {
    const article = await this.articles.getOwned(id, owner);
    const models = await this.articles.costModelsOf([article.id]);
    return {
      article_id: article.id,
      cost_models: partsDto(models.get(article.id) ?? []),
      offered_index_ids: article.costModelOffered,
      adjustments: article.costModelAdjustments,
      provider: article.costModelProvider,
      model: article.costModelModel,
    };
  }

  /** A finished (or paused) article is analysed again from its stored file, as a new run. */
  async reprocess(id: string, owner: Owner): Promise<ArticleResponseDto> {
    const article = await this.articles.getOwned(id, owner);
    if (!canTransition(article.processing.status, ProcessingStatus.Pending))
      throw new ConflictException(
        `The article is ${article.processing.status}; reprocess it once its analysis has finished.`,
      );
    // stored_files rows that housekeeping expires set the article's file id to null (FK).
    if (!article.specificationFileId)
      throw new ConflictException(
        'The specification file is no longer stored (files are kept for FILE_RETENTION_DAYS); submit it again.',
      );
    const next = await this.articles.reopen(
      article,
      transition(article.processing, ProcessingStatus.Pending),
    );
    try {
      await this.analysis.enqueue(next);
    } catch (error) {
      this.logger.warn(`article ${next.id}: could not enqueue yet (${(error as Error).message})`);
    }
    return this.toResponse(next);
  }

  /** Deletes the article, its cost model and its stored files. A queued job finds nothing. */
  async delete(id: string, owner: Owner): Promise<void> {
    const article = await this.articles.getOwned(id, owner);
    await this.articles.deleteOwned(article.id, owner);
    const ids = [article.specificationFileId, article.drawingFileId].filter(
      (fileId): fileId is string => fileId !== null,
    );
    for (const fileId of ids) {
      const file = await this.storedFiles.findById(fileId);
      if (!file) continue;
      await this.storedFiles.deleteByIds([file.id]);
      await rm(join(this.config.app.storageDir, file.storagePath), { force: true });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // cost indices
  // ---------------------------------------------------------------------------------------------

  async listIndices(includeInactive: boolean): Promise<CostIndexResponseDto[]> {
    const all = includeInactive ? await this.indices.listAll() : await this.indices.listActive();
    return all.map(indexDto);
  }

  async createIndex(actor: AuthUser, input: CostIndexInput): Promise<CostIndexResponseDto> {
    requireAdmin(actor);
    if (await this.indices.findByCode(input.code))
      throw new ConflictException(
        `A cost index with code "${input.code}" exists; change it with PUT /api/cost-indices.`,
      );
    const [created] = await this.indices.upsert([input]);
    return indexDto(created);
  }

  async upsertIndices(actor: AuthUser, inputs: CostIndexInput[]): Promise<CostIndexResponseDto[]> {
    requireAdmin(actor);
    const codes = inputs.map((i) => i.code);
    const repeated = codes.filter((code, i) => codes.indexOf(code) !== i);
    if (repeated.length > 0)
      throw new ConflictException(`indices names the code "${repeated[0]}" more than once`);
    return (await this.indices.upsert(inputs)).map(indexDto);
  }

  // ---------------------------------------------------------------------------------------------

  /** Nullable columns a batched INSERT did not set are undefined on the entity: the API says null. */
  toResponse(article: Article): ArticleResponseDto {
    return {
      ...statusOf(article),
      article_name: article.articleName,
      description: article.description,
      unit_weight: article.unitWeight ?? null,
      unit_weight_reported_grams: article.unitWeightReportedGrams ?? null,
      weight_review: article.weightReview ?? null,
      metadata_error: article.metadataError ?? null,
      specification: {
        file_name: article.specificationFileName,
        kind: article.specificationKind,
        stored: article.specificationFileId !== null,
      },
      drawing: article.drawingFileName
        ? {
            file_name: article.drawingFileName,
            kind: article.drawingKind ?? 'unknown',
            stored: article.drawingFileId !== null,
          }
        : null,
      created_at: article.createdAt,
      updated_at: article.updatedAt,
      links: {
        self: `/api/articles/${article.id}`,
        status: `/api/articles/${article.id}/status`,
        cost_models: `/api/articles/${article.id}/cost-models`,
        page: `/articles/${article.id}`,
      },
    };
  }
}

function statusOf(article: Pick<Article, 'id' | 'processing'>): ArticleStatusResponseDto {
  return {
    id: article.id,
    processing_status: article.processing.status,
    processing_error: article.processing.error,
    processing_started_at: article.processing.startedAt,
    processing_completed_at: article.processing.completedAt,
    processing_step: (article.processing.step as ArticleStep | null) ?? null,
  };
}

function partsDto(rows: readonly CostModelRow[]): CostModelPartDto[] {
  return rows.map((row) => ({
    index_id: row.indexId,
    index_code: row.code,
    index_name: row.name,
    part: row.part,
  }));
}

function indexDto(index: CostIndex): CostIndexResponseDto {
  return {
    id: index.id,
    code: index.code,
    name: index.name,
    description: index.description,
    active: index.active,
  };
}

function requireAdmin(actor: AuthUser): void {
  if (!actor.isAdmin) throw new ForbiddenException('Only administrators manage cost indices.');
}
