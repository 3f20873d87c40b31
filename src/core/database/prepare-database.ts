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
  // Two connections on a shared server: one holds the migration lock, one migrates.
  const dataSource = new DataSource({
    ...dataSourceOptions(target),
    extra: { max: target.embedded ? 1 : 2, connectionTimeoutMillis: 10_000 },
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
    const migrations = await withMigrationLock(dataSource, target.embedded, () =>
      dataSource.runMigrations({ transaction: 'each' }),
    );
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

/** Any number from a fixed string: instances starting together migrate one at a time. */
const MIGRATION_LOCK = 795_320_001;

/**
 * Several instances booting at once against one PostgreSQL must not run the same migration
 * twice: the first takes a session advisory lock, the others wait and then find nothing to do.
 * The embedded database serves a single instance, so it needs no lock.
 */
async function withMigrationLock<T>(
  dataSource: DataSource,
  embedded: boolean,
  work: () => Promise<T>,
): Promise<T> {
  if (embedded) return work();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await work();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
