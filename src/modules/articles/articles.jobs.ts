import { defineQueue } from '../../core/queue/job-catalogue.js';

/**
 * The articles job catalogue (STYLE.md 6). One job per analysis run of an article: it carries the
 * article id and the run, so a reprocess (which bumps the run) makes older jobs find nothing to do.
 */
export interface ArticleJobs {
  /** Weight extraction, then cost-model generation (DESIGN.md 2a: the article row is the ledger). */
  analyze: { articleId: string; run: number };
}

export const ANALYZE_ATTEMPTS = 3;

export const ARTICLES_QUEUE = defineQueue<ArticleJobs>('articles', {
  analyze: {
    concurrency: (config) => config.articles.concurrency,
    attempts: ANALYZE_ATTEMPTS,
    backoffMs: 2000,
  },
});

/** One live job per article and run (Bull drops a second add with the same id). */
export const analyzeJobId = (articleId: string, run: number) => `analyze:${articleId}:${run}`;
