import { defineSection, env } from '../env-spec.js';

export const databaseEnv = defineSection(
  'database',
  'Database',
  {
    DATABASE_URL: env.optionalUrl(
      'PostgreSQL with pgvector. Unset: the embedded PGlite database in DATA_DIR/pg.',
      ['postgres', 'postgresql'],
    ),
    DATABASE_POOL_SIZE: env.int(
      'Connections per instance (the embedded database always uses 1).',
      10,
      {
        min: 1,
        max: 200,
      },
    ),
    DATABASE_LOG_QUERIES: env.bool('Log every SQL statement (noisy).', false),
    EMBEDDED_DB_PORT: env.int(
      'Port of the embedded database server on 127.0.0.1 (0: any free port).',
      0,
      {
        min: 0,
        max: 65535,
      },
    ),
  },
  (v) => ({
    url: v.DATABASE_URL,
    poolSize: v.DATABASE_POOL_SIZE,
    logQueries: v.DATABASE_LOG_QUERIES,
    embeddedPort: v.EMBEDDED_DB_PORT,
  }),
);
