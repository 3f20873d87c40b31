import { defineSection, env } from '../env-spec.js';

export interface RateLimitRule {
  /** Requests allowed per period, all of them usable in one burst. */
  limit: number;
  periodMs: number;
}

export const authEnv = defineSection(
  'auth',
  'Accounts, sessions and rate limits',
  {
    ADMIN_EMAIL: env.string(
      'Email of the admin created on first boot (its API key is written to DATA_DIR/admin-key).',
      'admin@localhost',
    ),
    SESSION_SECRET: env.optionalSecret(
      'Signs the page session cookie. Unset: generated once into DATA_DIR/session-secret. Set it (the same on every instance) when running several instances.',
      32,
    ),
    SESSION_IDLE_HOURS: env.int('A page session ends after this many hours without a visit.', 24, {
      min: 1,
      max: 24 * 90,
    }),
    COOKIE_SECURE: env.oneOf(
      'Send the session cookie over HTTPS only. auto: when PUBLIC_URL is https.',
      ['auto', 'true', 'false'],
      'auto',
    ),
    RATE_LIMIT_PER_MINUTE: env.int(
      'Requests per minute per API key (shared by every instance through Redis).',
      600,
      { min: 1 },
    ),
    RATE_LIMIT_UPLOADS_PER_MINUTE: env.int(
      'Uploads per minute per API key, on top of the general limit (seed 003: 10).',
      10,
      { min: 1 },
    ),
    RATE_LIMIT_LOGINS_PER_MINUTE: env.int('Login attempts per minute per client address.', 20, {
      min: 1,
    }),
  },
  (v) => ({
    adminEmail: v.ADMIN_EMAIL.toLowerCase(),
    sessionSecret: v.SESSION_SECRET,
    sessionIdleMs: v.SESSION_IDLE_HOURS * 3_600_000,
    cookieSecure: v.COOKIE_SECURE,
    rateLimits: {
      general: { limit: v.RATE_LIMIT_PER_MINUTE, periodMs: 60_000 },
      upload: { limit: v.RATE_LIMIT_UPLOADS_PER_MINUTE, periodMs: 60_000 },
      login: { limit: v.RATE_LIMIT_LOGINS_PER_MINUTE, periodMs: 60_000 },
    } satisfies Record<string, RateLimitRule>,
  }),
);
