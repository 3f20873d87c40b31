import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { HousekeepingProcessor } from './housekeeping.processor.js';
import { HousekeepingService } from './housekeeping.service.js';
import { PLATFORM_QUEUE } from './platform.jobs.js';

@Module({
  // StoredFilesRepository comes from the global FilesModule.
  imports: [QueueModule.forFeature(PLATFORM_QUEUE)],
  providers: [HousekeepingService, HousekeepingProcessor],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
