import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { RUNTIME, type Runtime } from '../runtime.js';
import { dataSourceOptions } from './data-source-options.js';

/** TypeORM on the database boot prepared (checked for pgvector and migrated before the app starts). */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG, RUNTIME],
      useFactory: (config: AppConfig, runtime: Runtime) => ({
        ...dataSourceOptions({
          url: runtime.databaseUrl,
          embedded: runtime.databaseEmbedded,
          poolSize: config.database.poolSize,
          logQueries: config.database.logQueries,
        }),
        autoLoadEntities: true,
        retryAttempts: 2,
        retryDelay: 1000,
      }),
    }),
  ],
})
export class DatabaseModule {}
