import type { Redis } from 'ioredis';

/**
 * The one rate limiter every module, process and instance shares, in Redis.
 *
 * Each API key is a lane with a request budget (RPM) and a token budget (TPM), kept as GCRA
 * "theoretical arrival times": a call reserves the earliest start its lane allows and sleeps until
 * then, so callers are paced evenly instead of bursting and bouncing off 429s. Provider feedback
 * is per key and model: a 429's retry-after pauses everyone on that lane and model; the
 * x-ratelimit-* headers can only tighten the configured rate until their reset. Every decision is
 * one atomic Lua script using Redis's clock, so instances never disagree about time.
 */

// KEYS per lane i: req, tok, state (hash: pause, ri, ru, ti, tu), out (a key taken out of rotation);
// then the day's request and token counters.
// ARGV: lanes, request interval ms, token interval ms/token, request slack ms, token slack ms,
//       tokens to reserve, daily request cap, daily token cap, day counter ttl ms.
// Returns {lane, delayMs, reason}: lane -1 = a daily cap (reason 1 requests, 2 tokens);
// lane -2 = every lane is out of rotation.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local reqI = tonumber(ARGV[2])
local tokI = tonumber(ARGV[3])
local reqTau = tonumber(ARGV[4])
local tokTau = tonumber(ARGV[5])
local cost = tonumber(ARGV[6])
local capReq = tonumber(ARGV[7])
local capTok = tonumber(ARGV[8])
local dayReq = KEYS[4 * n + 1]
local dayTok = KEYS[4 * n + 2]
if capReq > 0 and tonumber(redis.call('GET', dayReq) or '0') + 1 > capReq then return {-1, 0, 1} end
if capTok > 0 and tonumber(redis.call('GET', dayTok) or '0') + cost > capTok then return {-1, 0, 2} end
local best, bestStart, bestTr, bestTt, bestRi, bestNeed
for i = 1, n do
  if redis.call('EXISTS', KEYS[4 * i]) == 0 then
    local tr = tonumber(redis.call('GET', KEYS[4 * i - 3]) or '0')
    if tr < now then tr = now end
    local tt = tonumber(redis.call('GET', KEYS[4 * i - 2]) or '0')
    if tt < now then tt = now end
    local st = redis.call('HMGET', KEYS[4 * i - 1], 'pause', 'ri', 'ru', 'ti', 'tu')
    local ri = reqI
    if st[3] and tonumber(st[3]) > now and tonumber(st[2]) > ri then ri = tonumber(st[2]) end
    local ti = tokI
    if st[5] and tonumber(st[5]) > now and tonumber(st[4]) > ti then ti = tonumber(st[4]) end
    local need = cost * ti
    local start = now
    if ri > 0 and tr - reqTau > start then start = tr - reqTau end
    if need > 0 then
      local s2 = tt + need - tokTau
      if need > tokTau then s2 = tt end
      if s2 > start then start = s2 end
    end
    local pause = tonumber(st[1] or '0')
    if pause > start then start = pause end
    if best == nil or start < bestStart then
      best = i; bestStart = start; bestTr = tr; bestTt = tt; bestRi = ri; bestNeed = need
    end
  end
end
if best == nil then return {-2, 0, 0} end
local newTr = math.max(bestTr, bestStart) + bestRi
local newTt = math.max(bestTt, bestStart) + bestNeed
redis.call('SET', KEYS[4 * best - 3], tostring(newTr), 'PX', math.ceil(newTr - now) + 60000)
redis.call('SET', KEYS[4 * best - 2], tostring(newTt), 'PX', math.ceil(newTt - now) + 60000)
redis.call('INCR', dayReq)
redis.call('PEXPIRE', dayReq, ARGV[9])
redis.call('INCRBY', dayTok, cost)
redis.call('PEXPIRE', dayTok, ARGV[9])
return {best, math.ceil(bestStart - now), 0}
`;

// KEYS: req, tok, day requests, day tokens. ARGV: request delta, token delta, request interval,
// token interval. Gives back (or takes more of) what a reservation assumed.
const SETTLE = `
local dr = tonumber(ARGV[1])
local dt = tonumber(ARGV[2])
local ri = tonumber(ARGV[3])
local ti = tonumber(ARGV[4])
if dr ~= 0 and ri > 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], tostring(tonumber(redis.call('GET', KEYS[1])) + dr * ri), 'KEEPTTL')
end
if dt ~= 0 and ti > 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SET', KEYS[2], tostring(tonumber(redis.call('GET', KEYS[2])) + dt * ti), 'KEEPTTL')
end
if dr ~= 0 and redis.call('EXISTS', KEYS[3]) == 1 then redis.call('INCRBY', KEYS[3], dr) end
if dt ~= 0 and redis.call('EXISTS', KEYS[4]) == 1 then redis.call('INCRBY', KEYS[4], dt) end
return 1
`;

// KEYS: state. ARGV: pause ms. Returns how long the lane+model is now paused.
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilT = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'pause') or '0')
if untilT > cur then redis.call('HSET', KEYS[1], 'pause', tostring(untilT)) else untilT = cur end
if redis.call('PTTL', KEYS[1]) < untilT - now + 60000 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(untilT - now) + 60000)
end
return math.ceil(untilT - now)
`;

// KEYS: state. Returns ms left of a pause (0 when none).
const PAUSE_LEFT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local p = tonumber(redis.call('HGET', KEYS[1], 'pause') or '0')
if p > now then return math.ceil(p - now) end
return 0
`;

// KEYS: state. ARGV: request interval hint, its duration, token interval hint, its duration
// (0 = none). A hint never loosens the configured rate, and a stricter hint wins over a looser one.
const TIGHTEN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function hint(iField, uField, interval, duration)
  if interval <= 0 or duration <= 0 then return end
  local st = redis.call('HMGET', KEYS[1], iField, uField)
  local curI = tonumber(st[1] or '0')
  local curU = tonumber(st[2] or '0')
  if curU <= now or interval >= curI then
    redis.call('HSET', KEYS[1], iField, tostring(interval), uField, tostring(now + duration))
  end
  if redis.call('PTTL', KEYS[1]) < duration + 60000 then
    redis.call('PEXPIRE', KEYS[1], math.ceil(duration) + 60000)
  end
end
hint('ri', 'ru', tonumber(ARGV[1]), tonumber(ARGV[2]))
hint('ti', 'tu', tonumber(ARGV[3]), tonumber(ARGV[4]))
return 1
`;

/**
 * The limiter paces 2% under the configured limits: a caller that wakes up late (a busy event
 * loop, a GC pause) sends closer to the next one, and the headroom absorbs that instead of the
 * provider answering 429.
 */
export const HEADROOM = 0.02;

interface LimiterCommands {
  llmAcquire(...args: (string | number)[]): Promise<[number, number, number]>;
  llmSettle(...args: (string | number)[]): Promise<number>;
  llmPause(...args: (string | number)[]): Promise<number>;
  llmPauseLeft(...args: (string | number)[]): Promise<number>;
  llmTighten(...args: (string | number)[]): Promise<number>;
}

export interface RateLimits {
  /** Requests per minute per lane (0: none). */
  rpm: number;
  /** Tokens per minute per lane (0: none). */
  tpm: number;
  dailyRequestCap: number;
  dailyTokenCap: number;
}

/** A reserved start on one lane. */
export interface Permit {
  lane: string;
  model: string;
  tokens: number;
  /** How long acquire() slept, 429 pauses included. */
  waitedMs: number;
}

export class DailyCapReachedError extends Error {
  constructor(
    readonly cap: 'requests' | 'tokens',
    readonly resetAt: Date,
  ) {
    super(`the daily ${cap} cap is reached; it resets at ${resetAt.toISOString()}`);
  }
}

export class NoLaneAvailableError extends Error {
  constructor() {
    super('every API key is out of the rotation');
  }
}

/** Sleeps, waking early (with the signal's reason) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RateLimiter {
  private readonly redis: Redis & LimiterCommands;
  private readonly requestIntervalMs: number;
  private readonly tokenIntervalMs: number;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly limits: RateLimits,
  ) {
    this.redis = redis as Redis & LimiterCommands;
    for (const [name, lua] of [
      ['llmAcquire', ACQUIRE],
      ['llmSettle', SETTLE],
      ['llmPause', PAUSE],
      ['llmPauseLeft', PAUSE_LEFT],
      ['llmTighten', TIGHTEN],
    ] as const) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
    this.requestIntervalMs = limits.rpm > 0 ? (60_000 / limits.rpm) * (1 + HEADROOM) : 0;
    this.tokenIntervalMs = limits.tpm > 0 ? (60_000 / limits.tpm) * (1 + HEADROOM) : 0;
  }

  private key(lane: string, part: string): string {
    return `${this.prefix}:llm:rl:${lane}:${part}`;
  }

  stateKey(lane: string, model: string): string {
    return this.key(lane, `m:${model}`);
  }

  outKey(lane: string): string {
    return `${this.prefix}:llm:key:${lane}:out`;
  }

  private dayKeys(now = new Date()): [string, string] {
    const day = now.toISOString().slice(0, 10);
    return [`${this.prefix}:llm:day:${day}:requests`, `${this.prefix}:llm:day:${day}:tokens`];
  }

  /**
   * Reserves a start for one request of `tokens` on the lane (of those given) that allows the
   * earliest one, and sleeps until then. A pause set while it slept sends it back for a new slot.
   */
  async acquire(
    lanes: readonly string[],
    model: string,
    tokens: number,
    signal?: AbortSignal,
  ): Promise<Permit> {
    let waitedMs = 0;
    for (;;) {
      const keys = lanes.flatMap((lane) => [
        this.key(lane, 'req'),
        this.key(lane, 'tok'),
        this.stateKey(lane, model),
        this.outKey(lane),
      ]);
      const [requestsKey, tokensKey] = this.dayKeys();
      const [index, delayMs, reason] = await this.redis.llmAcquire(
        keys.length + 2,
        ...keys,
        requestsKey,
        tokensKey,
        lanes.length,
        this.requestIntervalMs,
        this.tokenIntervalMs,
        // No request slack: reserved slots are exactly one interval apart, so even callers that
        // wake up late (a busy event loop) cannot push a window over the limit.
        0,
        // Six seconds of token budget: a few large prompts may go back to back.
        this.tokenIntervalMs > 0 ? 6000 : 0,
        tokens,
        this.limits.dailyRequestCap,
        this.limits.dailyTokenCap,
        2 * 86_400_000,
      );
      if (index === -1)
        throw new DailyCapReachedError(reason === 1 ? 'requests' : 'tokens', nextUtcMidnight());
      if (index === -2) throw new NoLaneAvailableError();
      const lane = lanes[index - 1];
      if (delayMs <= 0) return { lane, model, tokens, waitedMs };
      try {
        await sleep(delayMs, signal);
      } catch (error) {
        void this.refund({ lane, model, tokens, waitedMs }).catch(() => undefined);
        throw error;
      }
      waitedMs += delayMs;
      const pausedMs = await this.redis.llmPauseLeft(1, this.stateKey(lane, model));
      if (pausedMs <= 0) return { lane, model, tokens, waitedMs };
      // A 429 arrived while we slept: our slot is inside the pause. Give it back, queue again.
      await this.refund({ lane, model, tokens, waitedMs });
    }
  }

  /** Corrects the token reservation with what the provider counted (`usage`). */
  async settle(permit: Permit, actualTokens: number): Promise<void> {
    const delta = Math.round(actualTokens - permit.tokens);
    if (delta === 0) return;
    await this.run(permit.lane, 0, delta);
  }

  /** Gives a reservation back entirely (the request was never sent, or sent and not counted). */
  async refund(permit: Permit): Promise<void> {
    await this.run(permit.lane, -1, -permit.tokens);
  }

  private async run(lane: string, requestDelta: number, tokenDelta: number): Promise<void> {
    const [requestsKey, tokensKey] = this.dayKeys();
    await this.redis.llmSettle(
      4,
      this.key(lane, 'req'),
      this.key(lane, 'tok'),
      requestsKey,
      tokensKey,
      requestDelta,
      tokenDelta,
      this.requestIntervalMs,
      this.tokenIntervalMs,
    );
  }

  /** Pauses every caller of this lane and model for `ms` (a 429's retry-after). */
  pause(lane: string, model: string, ms: number): Promise<number> {
    return this.redis.llmPause(1, this.stateKey(lane, model), Math.ceil(ms));
  }

  pausedFor(lane: string, model: string): Promise<number> {
    return this.redis.llmPauseLeft(1, this.stateKey(lane, model));
  }

  /**
   * Applies the provider's remaining budgets: none left pauses until the reset; a budget that
   * runs out before its reset at our configured pace slows the pace to fit it until then.
   */
  async tighten(
    lane: string,
    model: string,
    hints: {
      requests?: { remaining: number; resetMs: number };
      tokens?: { remaining: number; resetMs: number };
    },
  ): Promise<void> {
    const { requests, tokens } = hints;
    const exhausted = [requests, tokens].filter((h) => h && h.remaining === 0 && h.resetMs > 0);
    if (exhausted.length > 0) {
      await this.pause(lane, model, Math.max(...exhausted.map((h) => h!.resetMs)));
    }
    const requestInterval =
      requests && requests.remaining > 0 ? requests.resetMs / requests.remaining : 0;
    const tokenInterval = tokens && tokens.remaining > 0 ? tokens.resetMs / tokens.remaining : 0;
    const tighterRequests = requestInterval > this.requestIntervalMs ? requestInterval : 0;
    const tighterTokens = tokenInterval > this.tokenIntervalMs ? tokenInterval : 0;
    if (tighterRequests === 0 && tighterTokens === 0) return;
    await this.redis.llmTighten(
      1,
      this.stateKey(lane, model),
      tighterRequests,
      tighterRequests > 0 ? requests!.resetMs : 0,
      tighterTokens,
      tighterTokens > 0 ? tokens!.resetMs : 0,
    );
  }

  /** Today's counted requests and tokens (all instances). */
  async today(): Promise<{ requests: number; tokens: number }> {
    const [requests, tokens] = await this.redis.mget(...this.dayKeys());
    return { requests: Number(requests ?? 0), tokens: Number(tokens ?? 0) };
  }

  /** Would the provider's hint change anything? Cheap check before a Redis round trip. */
  wouldTighten(hints: {
    requests?: { remaining: number; resetMs: number };
    tokens?: { remaining: number; resetMs: number };
  }): boolean {
    const { requests, tokens } = hints;
    if (
      requests &&
      (requests.remaining === 0
        ? requests.resetMs > 0
        : requests.resetMs / requests.remaining > this.requestIntervalMs)
    )
      return true;
    if (
      tokens &&
      (tokens.remaining === 0
        ? tokens.resetMs > 0
        : tokens.resetMs / tokens.remaining > this.tokenIntervalMs)
    )
      return true;
    return false;
  }
}

export function nextUtcMidnight(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}
