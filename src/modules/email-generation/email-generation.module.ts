import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QueueModule } from '../../core/queue/queue.module.js';
import { EmailGenerationController } from './email-generation.controller.js';
import { EMAIL_QUEUE } from './email-generation.jobs.js';
import { EmailGenerationPagesController } from './email-generation.pages.controller.js';
import { EmailGenerationPipeline } from './email-generation.pipeline.js';
import { EmailGenerationProcessor } from './email-generation.processor.js';
import { EmailGenerationService } from './email-generation.service.js';
import { EmailJobsRepository } from './email-jobs.repository.js';
import { EmailRowsRepository } from './email-rows.repository.js';
import { EmailWriter } from './email-writer.service.js';
import { EmailJob } from './entities/email-job.entity.js';

/** Seed 002: lead files to one personalised cold email per row. */
@Module({
  imports: [TypeOrmModule.forFeature([EmailJob]), QueueModule.forFeature(EMAIL_QUEUE)],
  controllers: [EmailGenerationController, EmailGenerationPagesController],
  providers: [
    EmailJobsRepository,
    EmailRowsRepository,
    EmailWriter,
    EmailGenerationPipeline,
    EmailGenerationService,
    EmailGenerationProcessor,
  ],
  exports: [EmailGenerationService],
})
export class EmailGenerationModule {}
