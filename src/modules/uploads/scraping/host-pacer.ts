import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { UploadsRedis } from './uploads-redis.js';

/**
 * Reserves the next request slot of a host in one atomic step on Redis's clock: the caller waits
 * until `max(now, next)`, and `next` moves on by the delay. Every worker and instance shares the
 * clock, so a host sees at most one request per delay however many jobs want it.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, nextAt)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], at + delay, 'PX', at + delay - now + 1000)
return at - now
`;

@Injectable()
export class HostPacer {
  /** Used while Redis cannot answer: this process still paces itself. */
  private readonly local = new Map<string, number>();

  constructor(private readonly redis: UploadsRedis) {}

  /** Waits for this host's next slot (no wait when delayMs is 0). */
  async wait(host: string, delayMs: number, signal?: AbortSignal): Promise<number> {
    if (delayMs <= 0) return 0;
    const waitMs = await this.reserve(host, delayMs);
    if (waitMs > 0) await sleep(waitMs, undefined, { signal });
    return waitMs;
  }

  private async reserve(host: string, delayMs: number): Promise<number> {
    try {
      const waitMs = await this.redis.client.eval(
        RESERVE,
        1,
        this.redis.key('pace', host),
        delayMs,
      );
      return Number(waitMs);
    } catch (error) {
      this.redis.warn(
        `politeness clock unavailable, pacing per process: ${(error as Error).message}`,
      );
      const now = Date.now();
      const at = Math.max(now, this.local.get(host) ?? 0);
      this.local.set(host, at + delayMs);
      if (this.local.size > 10_000) this.local.clear();
      return at - now;
    }
  }
}
