import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source-options.js';
import { EmbeddedPostgres, runningEmbeddedUrl } from './embedded-postgres.js';

/**
 * For the CLI: connects to DATABASE_URL, to the embedded server a running app serves, or starts
 * one, runs `work`, and closes everything again.
 */
export async function withDatabase<T>(
  config: AppConfig,
  work: (db: DataSource) => Promise<T>,
  entities: DataSourceOptions['entities'] = [],
): Promise<T> {
  let embedded: EmbeddedPostgres | undefined;
  const pgDir = join(config.app.dataDir, 'pg');
  let url = config.database.url ?? runningEmbeddedUrl(pgDir);
  if (!url) {
    embedded = await EmbeddedPostgres.start({ dataDir: pgDir, port: 0 });
    url = embedded.url;
  }
  const db = new DataSource({
    ...dataSourceOptions({ url, embedded: !config.database.url, poolSize: 1, logQueries: false }),
    entities,
  } as DataSourceOptions);
  try {
    await db.initialize();
    return await work(db);
  } finally {
    await db.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}
