/** What boot decided, beyond the configuration: where the database and Redis actually are. */
export interface Runtime {
  databaseUrl: string;
  databaseEmbedded: boolean;
  redisUrl: string;
  redisEmbedded: boolean;
  version: string;
  startedAt: Date;
}

export const RUNTIME = Symbol('RUNTIME');
