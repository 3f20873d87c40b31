import { HttpException } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Command } from '../../cli.js';
import { BootError } from '../boot-error.js';
import type { AppConfig } from '../config/config.js';
import { withDatabase } from '../database/with-database.js';
import { probeRedis } from '../queue/redis-probe.js';
import { AccountsService } from './accounts.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { createAuthRedisClient, credentialEpochKey, CredentialEpoch } from './auth-redis.js';
import type { ApiKeyResponseDto } from './dto/api-key.dto.js';
import { ApiKey } from './entities/api-key.entity.js';
import { PageSession } from './entities/page-session.entity.js';
import { User } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';

/**
 * `npm run cli -- users:create --email a@b.c [--admin] [--key-name laptop]` and friends. They work
 * against DATABASE_URL or the embedded database (a running app's, or started for the command),
 * and print a new key exactly once, on a line of its own.
 */
export const authCommands: Record<string, Command> = {
  async 'users:create'(args, config) {
    const {
      email,
      admin,
      'key-name': keyName,
    } = flags(args, 'users:create --email <email> [--admin] [--key-name <name>]', {
      email: { type: 'string' },
      admin: { type: 'boolean', default: false },
      'key-name': { type: 'string' },
    });
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email))
      throw new BootError('users:create needs --email <address>');
    const created = await withAccounts(config, (accounts) =>
      accounts.createUser('cli', {
        email,
        admin: admin === true,
        keyName: typeof keyName === 'string' ? keyName : undefined,
      }),
    );
    console.log(
      `created ${created.user.isAdmin ? 'admin' : 'user'} ${created.user.email} (id ${created.user.id})`,
    );
    printKey(created.key.key, created.key.prefix);
  },

  async 'users:list'(args, config) {
    flags(args, 'users:list', {});
    const users = await withAccounts(config, (accounts) => accounts.listUsers('cli'));
    if (users.length === 0)
      console.log('no users yet (the first boot of the app creates the admin)');
    for (const user of users)
      console.log(
        `${user.id}  ${user.email.padEnd(32)} ${user.isAdmin ? 'admin' : 'user '}  ${user.activeKeys} active key${user.activeKeys === 1 ? '' : 's'}`,
      );
  },

  async 'keys:create'(args, config) {
    const { email, name } = flags(args, 'keys:create --email <email> [--name <name>]', {
      email: { type: 'string' },
      name: { type: 'string', default: 'created with the CLI' },
    });
    if (typeof email !== 'string') throw new BootError('keys:create needs --email <address>');
    const key = await withAccounts(config, (accounts) =>
      accounts.createKeyForEmail(email, String(name)),
    );
    console.log(`created key "${key.name}" (id ${key.id}) for ${email}`);
    printKey(key.key, key.prefix);
  },

  async 'keys:list'(args, config) {
    const { email } = flags(args, 'keys:list --email <email>', { email: { type: 'string' } });
    if (typeof email !== 'string') throw new BootError('keys:list needs --email <address>');
    const { keys } = await withAccounts(config, (accounts) => accounts.listKeysForEmail(email));
    if (keys.length === 0) console.log(`${email} has no keys`);
    for (const key of keys) console.log(describeKey(key));
  },

  async 'keys:revoke'(args, config) {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
    if (positionals.length !== 1)
      throw new BootError(
        'usage: npm run cli -- keys:revoke <key id or prefix, e.g. cvk_Ab3dE9xQ>',
      );
    const key = await withAccounts(config, (accounts) =>
      accounts.revokeKeyByIdOrPrefix(positionals[0]),
    );
    console.log(`revoked: ${describeKey(key)}`);
  },
};

function flags(
  args: string[],
  usage: string,
  options: NonNullable<ParseArgsConfig['options']>,
): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    throw new BootError(`${(error as Error).message}\nusage: npm run cli -- ${usage}`);
  }
}

function printKey(key: string, prefix: string): void {
  console.log(`API key (shown once; only its hash is stored, listed as ${prefix}…):`);
  console.log(key);
}

function describeKey(key: ApiKeyResponseDto): string {
  return `${key.id}  ${key.prefix}…  ${key.status.padEnd(7)}  ${key.name}${key.lastUsedAt ? `  (last used ${key.lastUsedAt.toISOString()})` : ''}`;
}

/** The accounts service on a plain DataSource; API errors become one-line CLI errors. */
async function withAccounts<T>(
  config: AppConfig,
  work: (accounts: AccountsService) => Promise<T>,
): Promise<T> {
  const epoch = new CliEpoch(config);
  try {
    return await withDatabase(
      config,
      (db) =>
        work(
          new AccountsService(
            new UsersRepository(db.getRepository(User)),
            new ApiKeysRepository(db.getRepository(ApiKey)),
            epoch,
          ),
        ),
      [User, ApiKey, PageSession],
    );
  } catch (error) {
    if (error instanceof HttpException) throw new BootError(error.message);
    throw error;
  } finally {
    epoch.close();
  }
}

/**
 * Tells running instances that a credential changed (see CredentialEpoch): through REDIS_URL, or
 * the private redis-server a running app started in DATA_DIR/redis.
 */
class CliEpoch {
  private client?: ReturnType<typeof createAuthRedisClient>;

  constructor(private readonly config: AppConfig) {}

  async credentialsChanged(): Promise<void> {
    const url = await this.redisUrl();
    if (!url) {
      console.warn(
        'warning: no Redis answers, so running instances could not be told; they stop accepting the key within 10 s',
      );
      return;
    }
    this.client = createAuthRedisClient(url);
    this.client.on('error', () => undefined);
    await this.client.connect().catch(() => undefined);
    const epoch = new CredentialEpoch(this.client, credentialEpochKey(this.config.queue.prefix));
    if (!(await epoch.bump()))
      console.warn(
        'warning: could not reach Redis; running instances stop accepting the key within 10 s',
      );
  }

  close(): void {
    this.client?.disconnect();
  }

  private async redisUrl(): Promise<string | undefined> {
    if ((await probeRedis(this.config.queue.redisUrl, 1000)).ok) return this.config.queue.redisUrl;
    try {
      const state = JSON.parse(
        readFileSync(join(this.config.app.dataDir, 'redis', 'redis.json'), 'utf8'),
      ) as { port: number };
      const url = `redis://127.0.0.1:${state.port}`;
      return (await probeRedis(url, 1000)).ok ? url : undefined;
    } catch {
      return undefined;
    }
  }
}
