import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { Batcher } from '../../core/database/batcher.js';
import { LlmError, QuotaExhaustedError } from '../../core/llm/llm.errors.js';
import { LlmService } from '../../core/llm/llm.service.js';
import type { LlmRef } from '../../core/llm/llm.types.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import { ReconcilerService } from '../../core/queue/reconciler.service.js';
import {
  articleCostModelSchema,
  articleWeightSchema,
  costModelRequest,
  unknownIndicesFollowUp,
  weightRequest,
  type CostIndexOffer,
} from './analysis/article-prompts.js';
import { CostModelUnusableError, settleCostModel, unknownIndexIds } from './analysis/cost-model.js';
import { judgeWeight, toGrams } from './analysis/unit-weight.js';
import {
  ANALYZE_ATTEMPTS,
  ARTICLES_QUEUE,
  analyzeJobId,
  type ArticleJobs,
} from './articles.jobs.js';
import {
  ArticlesRepository,
  type ClaimedArticle,
  type CostModelOutcome,
  type WeightOutcome,
} from './articles.repository.js';
import { CostIndicesRepository } from './cost-indices.repository.js';
import { selectPassages } from './specification/passages.js';
import { readSpecificationText } from './specification/specification-text.js';

/** How much of the specification the cost-model prompt quotes (the weight prompt gets more). */
const COST_MODEL_EXCERPT_CHARS = 1500;

/**
 * The analysis of one article (seed 001's background task), run by the `articles/analyze` job:
 * 1. weight: the specification's text (or its relevant passages) -> `{unit_weight_grams}` ->
 *    kilograms, implausible values flagged; a failure here is recorded and does not stop step 2;
 * 2. cost model: the offered indices -> `[{index_id, part}]`, validated (unknown ids re-asked once
 *    then dropped, parts renormalised to 1) and stored with the completion in one statement.
 * The article row is the ledger: a finished weight step is not redone when a job runs again, and
 * every write names the run, so a reprocessed article ignores its older jobs.
 */
@Injectable()
export class ArticleAnalysis implements OnModuleInit {
  private readonly logger = new Logger('Articles');
  /**
   * Group commit (DESIGN.md 2): dozens of analyses start and finish together, and the embedded
   * database does ~800 statements a second, so their claims and writes share one statement.
   */
  private readonly claims: Batcher<{ id: string; run: number }, ClaimedArticle | undefined>;
  private readonly weights: Batcher<{ id: string; run: number; outcome: WeightOutcome }, boolean>;
  private readonly enqueues: Batcher<ArticleJobs['analyze'], void>;
  private readonly completions: Batcher<
    { id: string; run: number; model: CostModelOutcome },
    boolean
  >;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly articles: ArticlesRepository,
    private readonly indices: CostIndicesRepository,
    private readonly llm: LlmService,
    private readonly reconciler: ReconcilerService,
    @InjectJobQueue(ARTICLES_QUEUE) private readonly jobs: JobQueue<ArticleJobs>,
  ) {
    this.enqueues = new Batcher(async (items) => {
      await this.jobs.addBulk(
        'analyze',
        items.map((payload) => ({
          payload,
          options: { jobId: analyzeJobId(payload.articleId, payload.run) },
        })),
      );
      return items.map(() => undefined);
    });
    this.claims = new Batcher(async (items) => {
      const claimed = new Map((await this.articles.claimMany(items)).map((a) => [a.id, a]));
      return items.map((item) => claimed.get(item.id));
    });
    this.weights = new Batcher(async (items) => {
      const stored = await this.articles.recordWeights(items);
      return items.map((item) => stored.has(item.id));
    });
    this.completions = new Batcher(async (items) => {
      const done = await this.articles.completeMany(items);
      return items.map((item) => done.has(item.id));
    });
  }

  onModuleInit(): void {
    this.reconciler.register('articles', () => this.reconcile());
  }

  /** Queues the article's analysis; submissions that arrive together share one Redis round trip. */
  enqueue(article: { id: string; run: number }): Promise<void> {
    return this.enqueues.run({ articleId: article.id, run: article.run });
  }

  async analyze(job: RunningJob<ArticleJobs['analyze']>): Promise<string> {
    const { articleId, run } = job.data;
    const article = await this.claims.run({ id: articleId, run });
    if (!article) return 'nothing to do: stale run, deleted or finished';
    const ref: LlmRef = { kind: 'article', id: article.id };
    let stage = 'Weight extraction';
    try {
      let unitWeight = article.unitWeight;
      let excerpt: string | null = null;
      if (!article.metadataDone) {
        const weight = await this.extractWeight(article, ref, job);
        if (!(await this.weights.run({ id: article.id, run, outcome: weight.outcome })))
          return 'stale after the weight step';
        unitWeight = weight.outcome.unitWeight;
        excerpt = weight.excerpt;
      }
      stage = 'Cost model generation';
      const model = await this.generateCostModel(article, unitWeight, excerpt, ref, job.signal);
      if (!(await this.completions.run({ id: article.id, run, model })))
        return 'stale at completion';
      return `completed: ${model.parts.length} cost model part(s)`;
    } catch (error) {
      if (job.signal.aborted) throw error;
      if (error instanceof QuotaExhaustedError) {
        await this.articles.finishWithError(
          article.id,
          run,
          ProcessingStatus.Paused,
          `The LLM quota is exhausted (${error.message}); reprocess the article later${error.resetAt ? `, after ${error.resetAt.toISOString()}` : ''}.`,
        );
        return 'paused: quota';
      }
      if (isRetryable(error) && job.attemptsMade + 1 < ANALYZE_ATTEMPTS) throw error;
      const message = `${stage} failed: ${(error as Error).message}`;
      this.logger.warn(`article ${article.id}: ${message}`);
      await this.articles.finishWithError(article.id, run, ProcessingStatus.Failed, message);
      return 'failed';
    }
  }

  /**
   * Step 1. Never throws for a bad file or a bad answer (the seed goes on without a weight);
   * rethrows only what should retry the job (a transient LLM error before the last attempt) or
   * pause it (quota).
   */
  private async extractWeight(
    article: ClaimedArticle,
    ref: LlmRef,
    job: RunningJob<ArticleJobs['analyze']>,
  ): Promise<{ outcome: WeightOutcome; excerpt: string | null }> {
    const outcome: WeightOutcome = {
      unitWeight: null,
      reportedGrams: null,
      review: null,
      metadataError: null,
      chars: null,
      charsSent: null,
      provider: null,
    };
    if (!article.specificationPath)
      return {
        outcome: {
          ...outcome,
          metadataError: 'The specification file is no longer stored; upload it again.',
        },
        excerpt: null,
      };
    let text: string;
    try {
      const read = await readSpecificationText(
        join(this.config.app.storageDir, article.specificationPath),
        article.specificationKind,
      );
      if (!read.readable)
        return { outcome: { ...outcome, metadataError: read.reason }, excerpt: null };
      text = read.text;
    } catch (error) {
      return {
        outcome: {
          ...outcome,
          metadataError: `The specification could not be read as ${article.specificationKind}: ${(error as Error).message}`,
        },
        excerpt: null,
      };
    }
    const selected = selectPassages(text, this.config.articles.specMaxChars);
    outcome.chars = text.length;
    outcome.charsSent = selected.text.length;
    const excerpt = selected.text.slice(0, COST_MODEL_EXCERPT_CHARS);
    try {
      const { value, provider } = await this.llm.completeJson(
        {
          ...weightRequest({
            articleName: article.articleName,
            fileName: article.specificationFileName,
            text: selected.text,
            excerpted: selected.excerpted,
          }),
          maxTokens: this.config.articles.weightMaxTokens,
          temperature: 0,
          signal: job.signal,
          ownerId: article.ownerId,
          ref,
        },
        articleWeightSchema,
        { name: 'unit_weight' },
      );
      outcome.provider = provider;
      const grams = toGrams(value.unit_weight_grams);
      if (grams === null) {
        outcome.metadataError =
          value.unit_weight_grams === null
            ? 'No weight was found in the specification.'
            : `The model's answer "${String(value.unit_weight_grams)}" is not a weight.`;
        return { outcome, excerpt };
      }
      const verdict = judgeWeight(grams);
      return {
        outcome: {
          ...outcome,
          reportedGrams: grams,
          unitWeight: verdict.kilograms,
          review: verdict.review,
        },
        excerpt,
      };
    } catch (error) {
      if (job.signal.aborted || error instanceof QuotaExhaustedError) throw error;
      if (isRetryable(error) && job.attemptsMade + 1 < ANALYZE_ATTEMPTS) throw error;
      return {
        outcome: {
          ...outcome,
          metadataError: `Weight extraction failed: ${(error as Error).message}`,
        },
        excerpt,
      };
    }
  }

  /** Step 2: the cost model, validated so it references only offered indices and sums to 1. */
  private async generateCostModel(
    article: ClaimedArticle,
    unitWeightKg: number | null,
    excerpt: string | null,
    ref: LlmRef,
    signal: AbortSignal,
  ): Promise<CostModelOutcome> {
    const active = await this.indices.listActive();
    if (active.length === 0)
      throw new CostModelUnusableError(
        'There are no active cost indices to build a cost model from; an administrator adds them at PUT /api/cost-indices.',
      );
    const offers: CostIndexOffer[] = active.map((i) => ({
      id: i.id,
      name: i.name,
      description: i.description,
    }));
    const offered = new Set(offers.map((o) => o.id));
    const request = {
      ...costModelRequest({
        articleName: article.articleName,
        description: article.description,
        unitWeightKg,
        specificationExcerpt: excerpt,
        indices: offers,
      }),
      maxTokens: this.config.articles.costModelMaxTokens,
      temperature: 0,
      signal,
      ownerId: article.ownerId,
      ref,
    };
    let result = await this.llm.completeJson(request, articleCostModelSchema, {
      name: 'cost_models',
    });
    const adjustments: string[] = [];
    const unknown = unknownIndexIds(result.value.cost_models, offered);
    if (unknown.length > 0) {
      // Asked once more with the valid ids; whatever unknown ids remain are then dropped.
      adjustments.push(
        `The first answer named index ids that do not exist (${unknown.join(', ')}); asked again.`,
      );
      result = await this.llm.completeJson(
        {
          ...request,
          messages: [...request.messages, ...unknownIndicesFollowUp(result.text, unknown, offers)],
        },
        articleCostModelSchema,
        { name: 'cost_models' },
      );
    }
    const settled = settleCostModel(result.value.cost_models, offered);
    return {
      parts: settled.parts,
      offered: [...offered],
      adjustments: [...adjustments, ...settled.adjustments],
      provider: result.provider,
      model: result.model,
    };
  }

  /** DESIGN.md 2a: every open article (pending or processing) has a live job. */
  async reconcile(): Promise<number> {
    let enqueued = 0;
    for (const article of await this.articles.findOpen()) {
      if (
        await this.jobs.ensureQueued(
          'analyze',
          { articleId: article.id, run: article.run },
          analyzeJobId(article.id, article.run),
        )
      )
        enqueued++;
    }
    return enqueued;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof LlmError) return error.retryable;
  return !(error instanceof CostModelUnusableError);
}
