import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoredFile } from '../files/stored-file.entity.js';
import { StoredFilesRepository } from '../files/stored-files.repository.js';
import { QueueModule } from '../queue/queue.module.js';
import { HousekeepingProcessor } from './housekeeping.processor.js';
import { HousekeepingService } from './housekeeping.service.js';
import { PLATFORM_QUEUE } from './platform.jobs.js';

@Module({
  imports: [QueueModule.forFeature(PLATFORM_QUEUE), TypeOrmModule.forFeature([StoredFile])],
  providers: [HousekeepingService, HousekeepingProcessor, StoredFilesRepository],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
