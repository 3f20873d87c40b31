import { Redis } from 'ioredis';

export interface RedisProbe {
  ok: boolean;
  error?: string;
  /** null when CONFIG is not allowed (managed Redis services often forbid it). */
  maxmemoryPolicy?: string | null;
}

/** One quick connection attempt: no retries, no offline queue. */
export async function probeRedis(url: string, timeoutMs = 1500): Promise<RedisProbe> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    let maxmemoryPolicy: string | null = null;
    try {
      const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
      maxmemoryPolicy = reply[1] ?? null;
    } catch {
      maxmemoryPolicy = null;
    }
    return { ok: true, maxmemoryPolicy };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    client.disconnect();
  }
}
