import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Redis, Result } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { RateLimitRule } from '../config/env/auth.env.js';
import { AuthRedis } from './auth-redis.js';

/** Named limits from config: `general` applies to every authenticated request. */
export type RateLimitPolicy = keyof AppConfig['auth']['rateLimits'];

export interface RateLimitCheck {
  policy: RateLimitPolicy;
  /** Who is counted: `key:<api key id>` or `ip:<address>`. */
  subject: string;
}

export interface RateLimitOutcome {
  allowed: boolean;
  /** The policy that refused, or the tightest one when allowed (for the RateLimit-* headers). */
  policy: RateLimitPolicy;
  limit: number;
  remaining: number;
  /** When allowed: ms until the quota is full again. When refused: ms until one more request fits. */
  waitMs: number;
}

/**
 * GCRA (the generic cell rate algorithm) over any number of limits, in one atomic script: each
 * limit keeps one "theoretical arrival time" per subject; a request fits when, for every limit,
 * that time is no further ahead than the period allows. Either every limit counts the request or
 * none does (an upload refused by the upload limit does not use up general quota). The clock is
 * Redis's own, so instances with skewed clocks share one limit.
 *
 * KEYS[i]: state of limit i. ARGV[2i-1]: emission interval (period / limit, ms). ARGV[2i]: period (ms).
 * Returns {allowed, index of the deciding limit, wait ms, remaining...}.
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local tats = {}
local worst, worstWait = 0, 0
for i = 1, n do
  local interval = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local excess = tat - now - (period - interval)
  if excess > 0 and excess > worstWait then
    worst, worstWait = i, excess
  end
end
if worst > 0 then
  return {0, worst, worstWait}
end
local result = {1, 0, 0}
local tightest, tightestRemaining, tightestReset = 1, nil, 0
for i = 1, n do
  local interval = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local newTat = tats[i] + interval
  redis.call('SET', KEYS[i], newTat, 'PX', newTat - now)
  local remaining = math.floor((period - (newTat - now)) / interval)
  if tightestRemaining == nil or remaining < tightestRemaining then
    tightest, tightestRemaining, tightestReset = i, remaining, newTat - now
  end
  result[3 + i] = remaining
end
result[2] = tightest
result[3] = tightestReset
return result
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    conveyorGcra(...args: (string | number)[]): Result<number[], Context>;
  }
}

/** Per-key limits shared by every instance through Redis. */
@Injectable()
export class RateLimiter {
  private readonly redis: Redis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly authRedis: AuthRedis,
  ) {
    this.redis = authRedis.client;
    this.redis.defineCommand('conveyorGcra', { lua: GCRA });
  }

  rule(policy: RateLimitPolicy): RateLimitRule {
    return this.config.auth.rateLimits[policy];
  }

  /**
   * Counts one request against every check. When Redis cannot answer, the request is let through
   * (and a warning logged): an outage of the limiter must not take the API down with it.
   */
  async consume(checks: readonly RateLimitCheck[]): Promise<RateLimitOutcome | null> {
    if (checks.length === 0) return null;
    const rules = checks.map((check) => this.rule(check.policy));
    // One hash tag per subject keeps a request's keys in one Redis Cluster slot.
    const keys = checks.map((check) =>
      this.authRedis.key('ratelimit', `{${check.subject}}`, check.policy),
    );
    const args = rules.flatMap((rule) => [Math.ceil(rule.periodMs / rule.limit), rule.periodMs]);
    let reply: number[];
    try {
      reply = await this.redis.conveyorGcra(keys.length, ...keys, ...args);
    } catch (error) {
      this.authRedis.warn(
        `rate limits are not enforced while Redis does not answer: ${(error as Error).message}`,
      );
      return null;
    }
    const [allowed, index, waitMs] = reply;
    const check = checks[index - 1];
    const rule = rules[index - 1];
    return {
      allowed: allowed === 1,
      policy: check.policy,
      limit: rule.limit,
      remaining: allowed === 1 ? reply[2 + index] : 0,
      waitMs,
    };
  }
}

/** 429 with Retry-After (whole seconds, rounded up), in the API's error shape. */
export class TooManyRequestsException extends HttpException {
  readonly headers: Record<string, string>;

  constructor(outcome: RateLimitOutcome, rule: RateLimitRule) {
    const retryAfter = Math.max(1, Math.ceil(outcome.waitMs / 1000));
    const per = rule.periodMs === 60_000 ? 'a minute' : `per ${Math.round(rule.periodMs / 1000)} s`;
    const what = outcome.policy === 'general' ? 'requests' : `${outcome.policy} requests`;
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `Rate limit reached: at most ${rule.limit} ${what} ${per} for this ${outcome.policy === 'login' ? 'address' : 'API key'}. Retry in ${retryAfter} s.`,
        limit: outcome.policy,
        retryAfterSeconds: retryAfter,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
    this.headers = { 'Retry-After': String(retryAfter), ...rateLimitHeaders(outcome) };
  }
}

/** RateLimit-* headers (IETF draft) for the tightest limit of the request. */
export function rateLimitHeaders(outcome: RateLimitOutcome): Record<string, string> {
  return {
    'RateLimit-Limit': String(outcome.limit),
    'RateLimit-Remaining': String(Math.max(0, outcome.remaining)),
    'RateLimit-Reset': String(Math.max(0, Math.ceil(outcome.waitMs / 1000))),
    'RateLimit-Policy': outcome.policy,
  };
}
