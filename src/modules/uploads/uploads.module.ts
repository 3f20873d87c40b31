import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { QueueModule } from '../../core/queue/queue.module.js';
import { Scrape } from './entities/scrape.entity.js';
import { UploadRow } from './entities/upload-row.entity.js';
import { UploadWebsite } from './entities/upload-website.entity.js';
import { Upload } from './entities/upload.entity.js';
import { HostPacer } from './scraping/host-pacer.js';
import { createResolver } from './scraping/host-resolver.js';
import { RobotsPolicy, SCRAPE_RESOLVER } from './scraping/robots-policy.js';
import { UploadsRedis } from './scraping/uploads-redis.js';
import { WebsiteScraper } from './scraping/website-scraper.js';
import { UploadPipeline } from './upload-pipeline.service.js';
import { UploadWebsitesRepository } from './upload-websites.repository.js';
import { UploadsController } from './uploads.controller.js';
import { MESSAGE_QUEUE, SCRAPE_QUEUE, UPLOADS_QUEUE } from './uploads.jobs.js';
import { UploadsPagesController } from './uploads.pages.controller.js';
import { UploadsProcessor } from './uploads.processor.js';
import { UploadsRepository } from './uploads.repository.js';
import { UploadsService } from './uploads.service.js';

/** Seed 000: company lists -> websites -> scrapes -> one personalised message per website. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Upload, UploadWebsite, UploadRow, Scrape]),
    QueueModule.forFeature(UPLOADS_QUEUE, SCRAPE_QUEUE, MESSAGE_QUEUE),
  ],
  controllers: [UploadsController, UploadsPagesController],
  providers: [
    {
      provide: SCRAPE_RESOLVER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createResolver(config.uploads.scrape.resolve),
    },
    UploadsRedis,
    RobotsPolicy,
    HostPacer,
    WebsiteScraper,
    UploadsRepository,
    UploadWebsitesRepository,
    UploadPipeline,
    UploadsService,
    UploadsProcessor,
  ],
  exports: [UploadsService],
})
export class UploadsModule {}
