import { Injectable } from '@nestjs/common';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import { JobHandler, QueueProcessor } from '../../core/queue/job-handler.decorator.js';
import { ArticleAnalysis } from './article-analysis.service.js';
import { ARTICLES_QUEUE, type ArticleJobs } from './articles.jobs.js';

/** The articles queue's one job; the work is in ArticleAnalysis. */
@QueueProcessor()
@Injectable()
export class ArticlesProcessor {
  constructor(private readonly analysis: ArticleAnalysis) {}

  @JobHandler(ARTICLES_QUEUE, 'analyze')
  analyze(job: RunningJob<ArticleJobs['analyze']>): Promise<string> {
    return this.analysis.analyze(job);
  }
}
