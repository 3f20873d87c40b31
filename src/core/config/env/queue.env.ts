import { defineSection, env } from '../env-spec.js';

export const queueEnv = defineSection(
  'queue',
  'Redis and queues',
  {
    REDIS_URL: env.url(
      'Redis for the Bull queues and the shared rate limiters.',
      'redis://127.0.0.1:6379',
      ['redis', 'rediss'],
    ),
    REDIS_EMBEDDED: env.oneOf(
      'auto: start a private redis-server (DATA_DIR/redis, AOF on) when nothing answers at REDIS_URL; never: fail instead.',
      ['auto', 'never'],
      'auto',
    ),
    QUEUE_PREFIX: env.string('Prefix of every Bull key in Redis (one per deployment).', 'conveyor'),
    QUEUE_KEEP_FAILED_HOURS: env.int('Failed jobs stay inspectable in Redis this long.', 168, {
      min: 1,
    }),
    HOUSEKEEPING_EVERY_MINUTES: env.int('How often the housekeeping job runs.', 60, { min: 1 }),
    QUEUE_STALLED_SECONDS: env.int(
      'A running job whose process died is handed to another worker after about this long (its lock expires and the stalled-job check runs this often).',
      30,
      { min: 1, max: 600 },
    ),
    RECONCILE_EVERY_SECONDS: env.int(
      'How often pending work in Postgres is checked against the queues (0: only at boot).',
      60,
      { min: 0 },
    ),
  },
  (v) => ({
    redisUrl: v.REDIS_URL,
    embeddedRedis: v.REDIS_EMBEDDED,
    prefix: v.QUEUE_PREFIX,
    keepFailedMs: v.QUEUE_KEEP_FAILED_HOURS * 3_600_000,
    housekeepingEveryMs: v.HOUSEKEEPING_EVERY_MINUTES * 60_000,
    reconcileEveryMs: v.RECONCILE_EVERY_SECONDS * 1000,
    stalledMs: v.QUEUE_STALLED_SECONDS * 1000,
  }),
);
