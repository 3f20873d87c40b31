import type { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';
import { MIGRATIONS } from '../../../migrations/index.js';

export interface DatabaseTarget {
  url: string;
  embedded: boolean;
  poolSize: number;
  logQueries: boolean;
}

/**
 * TypeORM options shared by the app and the migration CLI. Synchronize stays off: the schema
 * changes only through migrations/ (reviewed as SQL).
 */
export function dataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  return {
    type: 'postgres',
    url: target.url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    // pgvector is checked (with a clear message) and enabled by the first migration, not by the driver.
    installExtensions: false,
    logging: target.logQueries ? 'all' : ['error'],
    extra: {
      // PGlite is a single Postgres session: one connection, and no transaction may be held open
      // across a network await (DESIGN.md 2). The timeout turns a mistaken wait into an error.
      max: target.embedded ? 1 : target.poolSize,
      connectionTimeoutMillis: 30_000,
      application_name: 'conveyor',
    },
  };
}
