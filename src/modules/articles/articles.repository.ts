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

export interface ArticleStatusRow {
  id: string;
  ownerId: string;
  status: ProcessingStatus;
  error: string | null;
  step: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
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

  /** Inserts new articles (already owned) in one statement; ids and defaults are filled in. */
  async insertMany(articles: Article[]): Promise<Article[]> {
    await this.articles.insert(articles);
    return articles;
  }

  /**
   * Takes each article for its run: pending -> processing (startedAt stamped), or a processing
   * one again after a crash (its finished steps are kept). Missing from the answer: the run is
   * stale, the article is gone or already finished.
   */
  async claimMany(jobs: readonly { id: string; run: number }[]): Promise<ClaimedArticle[]> {
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
         FROM unnest($1::uuid[], $2::int[]) AS j(id, run)
        WHERE a.id = j.id AND a.run = j.run AND a.processing_status = ANY($3::text[])
      RETURNING a.id, a.owner_id, a.run, a.article_name, a.description,
                a.specification_file_name, a.specification_kind,
                a.metadata_done_at, a.unit_weight,
                (SELECT f.storage_path FROM stored_files f
                  WHERE f.id = a.specification_file_id) AS specification_path`,
        [
          jobs.map((j) => j.id),
          jobs.map((j) => j.run),
          [ProcessingStatus.Pending, ProcessingStatus.Processing],
        ],
      ),
    );
    return rows.map((row) => ({
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
    }));
  }

  /**
   * Stores weight steps' outcomes and moves those articles on to cost models. Returns the ids
   * stored (an article whose run is stale or that is no longer processing is left alone).
   */
  async recordWeights(
    items: readonly { id: string; run: number; outcome: WeightOutcome }[],
  ): Promise<Set<string>> {
    const next: ArticleStep = 'generating_cost_models';
    const col = <T>(pick: (o: WeightOutcome) => T) => items.map((i) => pick(i.outcome));
    const rows = returned<{ id: string }>(
      await this.articles.query(
        `UPDATE articles a
            SET unit_weight = j.unit_weight, unit_weight_reported_grams = j.reported,
                weight_review = j.review, metadata_error = j.metadata_error,
                specification_chars = j.chars, specification_chars_sent = j.chars_sent,
                weight_provider = j.provider, metadata_done_at = now(), processing_step = $10,
                updated_at = now()
           FROM unnest($1::uuid[], $2::int[], $3::float8[], $4::float8[], $5::text[], $6::text[],
                       $7::int[], $8::int[], $9::text[])
             AS j(id, run, unit_weight, reported, review, metadata_error, chars, chars_sent, provider)
          WHERE a.id = j.id AND a.run = j.run AND a.processing_status = 'processing'
        RETURNING a.id`,
        [
          items.map((i) => i.id),
          items.map((i) => i.run),
          col((o) => o.unitWeight),
          col((o) => o.reportedGrams),
          col((o) => o.review),
          col((o) => o.metadataError),
          col((o) => o.chars),
          col((o) => o.charsSent),
          col((o) => o.provider),
          next,
        ],
      ),
    );
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Stores articles' cost models and completes them, in one statement: for each article either
   * both happen (for its run, from processing) or neither. A run starts without parts (reopen
   * clears them). Returns the ids completed.
   */
  async completeMany(
    items: readonly { id: string; run: number; model: CostModelOutcome }[],
  ): Promise<Set<string>> {
    const parts = items.flatMap((item) =>
      item.model.parts.map((part, position) => ({ id: item.id, position, ...part })),
    );
    const rows = await this.articles.query(
      `WITH j AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
                    AS j(id, run, offered, adjustments, provider, model)),
       done AS (
         UPDATE articles a
            SET cost_model_offered = j.offered::jsonb, cost_model_adjustments = j.adjustments::jsonb,
                cost_model_provider = j.provider, cost_model_model = j.model,
                processing_status = 'completed', processing_error = NULL, processing_step = NULL,
                processing_completed_at = now(), updated_at = now()
           FROM j
          WHERE a.id = j.id AND a.run = j.run AND a.processing_status = ANY($11::text[])
         RETURNING a.id),
       added AS (
         INSERT INTO article_cost_models (article_id, index_id, part, position)
         SELECT p.article_id, p.index_id, p.part, p.position
           FROM unnest($7::uuid[], $8::int[], $9::float8[], $10::int[])
                  AS p(article_id, index_id, part, position)
          WHERE p.article_id IN (SELECT id FROM done)
         ON CONFLICT (article_id, index_id)
           DO UPDATE SET part = EXCLUDED.part, position = EXCLUDED.position)
       SELECT id FROM done`,
      [
        items.map((i) => i.id),
        items.map((i) => i.run),
        items.map((i) => JSON.stringify(i.model.offered)),
        items.map((i) => JSON.stringify(i.model.adjustments)),
        items.map((i) => i.model.provider),
        items.map((i) => i.model.model),
        parts.map((p) => p.id),
        parts.map((p) => p.indexId),
        parts.map((p) => p.part),
        parts.map((p) => p.position + 1),
        from(ProcessingStatus.Completed),
      ],
    );
    return new Set(returned<{ id: string }>(rows).map((row) => row.id));
  }

  /** The status fields of these articles (any owner: the caller checks), for status polling. */
  async statusMany(ids: readonly string[]): Promise<Map<string, ArticleStatusRow>> {
    const rows: ArticleStatusRow[] = await this.articles.query(
      `SELECT id, owner_id AS "ownerId", processing_status AS status, processing_error AS error,
              processing_step AS step, processing_started_at AS "startedAt",
              processing_completed_at AS "completedAt"
         FROM articles WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row]));
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
