import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { OwnedRepository, type Owner } from '../../core/auth/owner-scope.js';
import type { FileKind } from '../../core/files/index.js';
import { ProcessingStatus, legalSources } from '../../core/processing/processing-status.js';
import type { CostModelPart } from './analysis/cost-model.js';
import type { ArticleStep } from './dto/article.dto.js';
import { ArticleCostModel } from './entities/article-cost-model.entity.js';
import { Article } from './entities/article.entity.js';

/** What the analysis job needs of an article it has just claimed. */
export interface ClaimedArticle {
  id: string;
  ownerId: string;
  run: number;
  articleName: string;
  description: string | null;
  specificationFileName: string;
  specificationKind: FileKind;
  /** Relative to STORAGE_DIR; null when the stored file is gone. */
  specificationPath: string | null;
  metadataDone: boolean;
  unitWeight: number | null;
}

export interface WeightOutcome {
  unitWeight: number | null;
  reportedGrams: number | null;
  review: string | null;
  metadataError: string | null;
  chars: number | null;
  charsSent: number | null;
  provider: string | null;
}

export interface CostModelOutcome {
  parts: CostModelPart[];
  offered: number[];
  adjustments: string[];
  provider: string;
  model: string;
}

export interface CostModelRow {
  indexId: number;
  code: string;
  name: string;
  part: number;
}

/**
 * The rows of an UPDATE ... RETURNING: TypeORM's pg driver answers `[rows, rowCount]` for UPDATE
 * and DELETE, and the rows alone for SELECT (including WITH ... SELECT).
 */
function returned<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}

/** The statuses a guarded UPDATE may move from, as the shared transition table says. */
const from = (to: ProcessingStatus) => legalSources(to);

/**
 * Articles and their cost models. The job's writes are single guarded statements (the article's
 * run and a legal source status in the WHERE clause): two workers, or a stale job of an older run,
 * cannot both act, and no transaction is held across an LLM call.
 */
@Injectable()
export class ArticlesRepository extends OwnedRepository<Article> {
  constructor(
    @InjectRepository(Article) private readonly articles: Repository<Article>,
    @InjectRepository(ArticleCostModel) private readonly parts: Repository<ArticleCostModel>,
  ) {
    super(articles, 'Article');
  }

  get entities(): Repository<Article> {
    return this.articles;
  }

  findById(id: string): Promise<Article | null> {
    return this.articles.findOneBy({ id });
  }

  async listPage(owner: Owner, limit: number, offset: number): Promise<[Article[], number]> {
    return this.articles.findAndCount({
      where: { ownerId: owner.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  /**
   * Takes the article for this run: pending -> processing (startedAt stamped), or a processing
   * one again after a crash (its finished steps are kept). Null when the run is stale, the
   * article is gone or already finished.
   */
  async claim(id: string, run: number): Promise<ClaimedArticle | null> {
    const rows = returned<Record<string, unknown>>(
      await this.articles.query(
        `UPDATE articles a
          SET processing_status = 'processing',
              processing_error = NULL,
              processing_completed_at = NULL,
              processing_started_at = coalesce(a.processing_started_at, now()),
              processing_step = CASE WHEN a.metadata_done_at IS NULL
                                     THEN 'extracting_metadata' ELSE 'generating_cost_models' END,
              updated_at = now()
        WHERE a.id = $1 AND a.run = $2 AND a.processing_status = ANY($3::text[])
      RETURNING a.id, a.owner_id, a.run, a.article_name, a.description,
                a.specification_file_name, a.specification_kind,
                a.metadata_done_at, a.unit_weight,
                (SELECT f.storage_path FROM stored_files f
                  WHERE f.id = a.specification_file_id) AS specification_path`,
        [id, run, [ProcessingStatus.Pending, ProcessingStatus.Processing]],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id as string,
      ownerId: row.owner_id as string,
      run: row.run as number,
      articleName: row.article_name as string,
      description: row.description as string | null,
      specificationFileName: row.specification_file_name as string,
      specificationKind: row.specification_kind as FileKind,
      specificationPath: row.specification_path as string | null,
      metadataDone: row.metadata_done_at !== null,
      unitWeight: row.unit_weight as number | null,
    };
  }

  /** Stores the weight step's outcome and moves on to cost models; false when the run is stale. */
  async recordWeight(id: string, run: number, outcome: WeightOutcome): Promise<boolean> {
    const next: ArticleStep = 'generating_cost_models';
    const rows = returned(
      await this.articles.query(
        `UPDATE articles
          SET unit_weight = $3, unit_weight_reported_grams = $4, weight_review = $5,
              metadata_error = $6, specification_chars = $7, specification_chars_sent = $8,
              weight_provider = $9, metadata_done_at = now(), processing_step = $10,
              updated_at = now()
        WHERE id = $1 AND run = $2 AND processing_status = 'processing'
      RETURNING id`,
        [
          id,
          run,
          outcome.unitWeight,
          outcome.reportedGrams,
          outcome.review,
          outcome.metadataError,
          outcome.chars,
          outcome.charsSent,
          outcome.provider,
          next,
        ],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Stores the article's cost model and completes it, in one statement: either both happen (for
   * this run, from processing) or neither. A run starts without parts (reopen clears them).
   */
  async complete(id: string, run: number, model: CostModelOutcome): Promise<boolean> {
    const rows: unknown[] = await this.articles.query(
      `WITH done AS (
         UPDATE articles
            SET cost_model_offered = $3::jsonb, cost_model_adjustments = $4::jsonb,
                cost_model_provider = $5, cost_model_model = $6,
                processing_status = 'completed', processing_error = NULL, processing_step = NULL,
                processing_completed_at = now(), updated_at = now()
          WHERE id = $1 AND run = $2 AND processing_status = ANY($9::text[])
         RETURNING id),
       added AS (
         INSERT INTO article_cost_models (article_id, index_id, part, position)
         SELECT done.id, p.index_id, p.part, p.position
           FROM done, unnest($7::int[], $8::float8[]) WITH ORDINALITY AS p(index_id, part, position)
         ON CONFLICT (article_id, index_id)
           DO UPDATE SET part = EXCLUDED.part, position = EXCLUDED.position)
       SELECT id FROM done`,
      [
        id,
        run,
        JSON.stringify(model.offered),
        JSON.stringify(model.adjustments),
        model.provider,
        model.model,
        model.parts.map((p) => p.indexId),
        model.parts.map((p) => p.part),
        from(ProcessingStatus.Completed),
      ],
    );
    return rows.length > 0;
  }

  /** Ends the run in failed (or paused) with the reason; false when the run is stale or finished. */
  async finishWithError(
    id: string,
    run: number,
    to: ProcessingStatus.Failed | ProcessingStatus.Paused,
    error: string,
  ): Promise<boolean> {
    const rows = returned(
      await this.articles.query(
        `UPDATE articles
          SET processing_status = $3, processing_error = $4,
              processing_completed_at = CASE WHEN $3 = 'failed' THEN now() END,
              updated_at = now()
        WHERE id = $1 AND run = $2 AND processing_status = ANY($5::text[])
      RETURNING id`,
        [id, run, to, error, from(to)],
      ),
    );
    return rows.length > 0;
  }

  /** Back to pending for a new run: weight and cost model cleared, older jobs made stale. */
  async reopen(article: Article, processing: Article['processing']): Promise<Article> {
    const next: Article = {
      ...article,
      run: article.run + 1,
      unitWeight: null,
      unitWeightReportedGrams: null,
      weightReview: null,
      metadataError: null,
      metadataDoneAt: null,
      specificationChars: null,
      specificationCharsSent: null,
      weightProvider: null,
      costModelOffered: null,
      costModelAdjustments: [],
      costModelProvider: null,
      costModelModel: null,
      processing,
    };
    return this.articles.manager.transaction(async (manager) => {
      await manager.delete(ArticleCostModel, { articleId: article.id });
      return manager.save(Article, next);
    });
  }

  /** Articles whose run is open (pending or processing), for the reconciler. */
  findOpen(): Promise<Pick<Article, 'id' | 'run'>[]> {
    return this.articles.find({
      select: { id: true, run: true },
      where: {
        processing: { status: In([ProcessingStatus.Pending, ProcessingStatus.Processing]) },
      },
    });
  }

  async costModelsOf(articleIds: readonly string[]): Promise<Map<string, CostModelRow[]>> {
    const byArticle = new Map<string, CostModelRow[]>();
    if (articleIds.length === 0) return byArticle;
    const rows: (CostModelRow & { articleId: string })[] = await this.parts.query(
      `SELECT m.article_id AS "articleId", m.index_id AS "indexId", i.code, i.name, m.part
         FROM article_cost_models m JOIN cost_indices i ON i.id = m.index_id
        WHERE m.article_id = ANY($1::uuid[])
        ORDER BY m.article_id, m.position`,
      [articleIds],
    );
    for (const { articleId, ...row } of rows) {
      const list = byArticle.get(articleId) ?? [];
      list.push(row);
      byArticle.set(articleId, list);
    }
    return byArticle;
  }
}
