import { DataSource } from 'typeorm';
import { redact } from '../config/env-spec.js';
import { BootError } from '../boot-error.js';
import { dataSourceOptions, type DatabaseTarget } from './data-source-options.js';

export interface PreparedDatabase {
  migrationsRun: string[];
  vectorVersion: string;
}

/**
 * Runs before the app starts: checks the server can do what we need (pgvector) and brings the
 * schema up to date. Failures become BootErrors that say what to do.
 */
export async function prepareDatabase(target: DatabaseTarget): Promise<PreparedDatabase> {
  const dataSource = new DataSource({
    ...dataSourceOptions(target),
    extra: { max: 1, connectionTimeoutMillis: 10_000 },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new BootError(
      `cannot connect to the database at ${redact(target.url)}: ${(error as Error).message}`,
    );
  }
  try {
    const available: { default_version: string | null; installed_version: string | null }[] =
      await dataSource.query(
        `SELECT default_version, installed_version FROM pg_available_extensions WHERE name = 'vector'`,
      );
    if (available.length === 0) {
      throw new BootError(
        `the PostgreSQL server at ${redact(target.url)} does not have the pgvector extension ("vector"), ` +
          'which Conveyor needs for similarity search. Install pgvector on that server (or use the ' +
          'pgvector/pgvector image, as docker-compose.yml does), or unset DATABASE_URL to use the embedded database.',
      );
    }
    const migrations = await dataSource.runMigrations({ transaction: 'each' });
    const [{ extversion }] = await dataSource.query(
      `SELECT extversion FROM pg_extension WHERE extname = 'vector'`,
    );
    return { migrationsRun: migrations.map((m) => m.name), vectorVersion: extversion };
  } catch (error) {
    if (error instanceof BootError) throw error;
    throw new BootError(`database migration failed: ${(error as Error).message}`);
  } finally {
    await dataSource.destroy();
  }
}
