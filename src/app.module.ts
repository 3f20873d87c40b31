import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { AuthModule } from './core/auth/auth.module.js';
import { ConfigModule } from './core/config/config.module.js';
import type { AppConfig } from './core/config/config.js';
import { DatabaseModule } from './core/database/database.module.js';
import { FilesModule } from './core/files/files.module.js';
import { HealthModule } from './core/health/health.module.js';
import { HousekeepingModule } from './core/housekeeping/housekeeping.module.js';
import { LlmModule } from './core/llm/llm.module.js';
import { QueueModule } from './core/queue/queue.module.js';
import type { Runtime } from './core/runtime.js';
import { WebModule } from './core/web/web.module.js';
import { UploadsModule } from './modules/uploads/uploads.module.js';
import { FeedmeModule } from './modules/feedme/feedme.module.js';
import { ConversationsModule } from './modules/conversations/conversations.module.js';

@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    runtime: Runtime,
    extra: (Type | DynamicModule)[] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, runtime),
        DatabaseModule,
        QueueModule.forRoot(),
        HealthModule,
        AuthModule,
        WebModule,
        FilesModule,
        HousekeepingModule,
        LlmModule,
        UploadsModule,
        FeedmeModule,
        ConversationsModule,
        ...extra,
      ],
    };
  }
}
