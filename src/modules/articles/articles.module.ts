import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QueueModule } from '../../core/queue/queue.module.js';
import { ArticleAnalysis } from './article-analysis.service.js';
import { ArticlesController } from './articles.controller.js';
import { ARTICLES_QUEUE } from './articles.jobs.js';
import { ArticlesPagesController } from './articles.pages.controller.js';
import { ArticlesProcessor } from './articles.processor.js';
import { ArticlesRepository } from './articles.repository.js';
import { ArticlesService } from './articles.service.js';
import { CostIndicesRepository } from './cost-indices.repository.js';
import { ArticleCostModel } from './entities/article-cost-model.entity.js';
import { Article } from './entities/article.entity.js';
import { CostIndex } from './entities/cost-index.entity.js';

/** Seed 001: product specifications -> unit weight and cost model, asynchronously. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Article, ArticleCostModel, CostIndex]),
    QueueModule.forFeature(ARTICLES_QUEUE),
  ],
  controllers: [ArticlesController, ArticlesPagesController],
  providers: [
    ArticlesRepository,
    CostIndicesRepository,
    ArticleAnalysis,
    ArticlesService,
    ArticlesProcessor,
  ],
  exports: [ArticlesService],
})
export class ArticlesModule {}
