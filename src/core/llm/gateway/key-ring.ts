import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type KeyState = 'active' | 'unauthorized' | 'quota-exhausted';

export interface KeyOutRecord {
  state: Exclude<KeyState, 'active'>;
  message: string;
  since: string;
  until: string;
}

/** An API key as the rest of the gateway sees it: never the secret, only a stable id. */
export interface ApiKeyLane {
  /** sha256 of the key, first 12 hex: the same on every instance, useless to an attacker. */
  id: string;
  /** "key 2 of 3", for /health and logs. */
  label: string;
  secret: string;
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/**
 * The configured keys and which of them are in the rotation. A key answering 401 (or out of
 * quota) is taken out for LLM_KEY_COOLDOWN_MINUTES in Redis, so every instance stops using it
 * (the rate limiter skips it atomically) and /health shows it.
 */
export class KeyRing {
  readonly lanes: readonly ApiKeyLane[];
  private readonly byId: Map<string, ApiKeyLane>;

  constructor(
    secrets: readonly string[],
    private readonly redis: Redis,
    private readonly outKey: (lane: string) => string,
    private readonly cooldownMs: number,
  ) {
    this.lanes = secrets.map((secret, i) => ({
      id: fingerprint(secret),
      label: `key ${i + 1} of ${secrets.length}`,
      secret,
    }));
    this.byId = new Map(this.lanes.map((lane) => [lane.id, lane]));
  }

  get(id: string): ApiKeyLane {
    const lane = this.byId.get(id);
    if (!lane) throw new Error(`unknown key lane ${id}`);
    return lane;
  }

  ids(): string[] {
    return this.lanes.map((lane) => lane.id);
  }

  async takeOut(
    id: string,
    state: KeyOutRecord['state'],
    message: string,
    untilMs?: number,
  ): Promise<void> {
    const ms = untilMs ?? this.cooldownMs;
    const record: KeyOutRecord = {
      state,
      message,
      since: new Date().toISOString(),
      until: new Date(Date.now() + ms).toISOString(),
    };
    await this.redis.set(this.outKey(id), JSON.stringify(record), 'PX', Math.max(1, Math.ceil(ms)));
  }

  /** Every key with its state, for /health and for choosing the right error. */
  async states(): Promise<{ lane: ApiKeyLane; out: KeyOutRecord | null }[]> {
    if (this.lanes.length === 0) return [];
    const values = await this.redis.mget(...this.lanes.map((lane) => this.outKey(lane.id)));
    return this.lanes.map((lane, i) => ({ lane, out: parseOut(values[i]) }));
  }
}

/** The limiter skips a key whenever its record exists, so an unreadable one still means "out". */
function parseOut(value: string | null): KeyOutRecord | null {
  if (value === null) return null;
  try {
    return JSON.parse(value) as KeyOutRecord;
  } catch {
    return { state: 'unauthorized', message: value, since: '', until: '' };
  }
}
