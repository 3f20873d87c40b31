import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { spawnConveyor, type ConveyorProcess } from '../support/conveyor-process.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';

// The real process and the real CLI (built dist/, as `npm run cli` runs it): the first-boot admin
// and its log line, and users/keys managed from the command line against the running app, a
// revoke there taking effect in the app at once. Run `npm run build` first (CI's pretest does).

const run = promisify(execFile);
let dataDir: string;
let prefix: string;
let app: ConveyorProcess;
let url: string;

function env(): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    QUEUE_PREFIX: prefix,
    NODE_ENV: 'test',
  };
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/src/cli.js', ...args], {
      env: { ...process.env, ...env() },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const keyIn = (output: string) => /^(cvk_[A-Za-z0-9_-]{43})$/m.exec(output)?.[1];

beforeAll(async () => {
  if (!existsSync('dist/src/cli.js'))
    throw new Error(
      'dist/ is missing: run `npm run build` before this test (it runs the built CLI)',
    );
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-cli-'));
  prefix = `test-${randomUUID().slice(0, 8)}`;
  app = spawnConveyor('dist/src/main.js', env());
  url = await app.ready;
});

afterAll(async () => {
  if (app && app.child.exitCode === null) {
    app.child.kill('SIGTERM');
    await app.exited;
  }
  await deleteKeysWithPrefix('redis://127.0.0.1:6379', prefix);
  await rm(dataDir, { recursive: true, force: true });
});

describe('first boot of the real process', () => {
  it('writes the admin key to DATA_DIR/admin-key (0600) and logs where it is, never the key', async () => {
    const path = join(dataDir, 'admin-key');
    const key = (await readFile(path, 'utf8')).trim();
    expect(key).toMatch(/^cvk_[A-Za-z0-9_-]{43}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(app.output()).toContain(`created the admin admin@localhost. Its API key is in ${path}`);
    expect(app.output()).not.toContain(key);
    expect(app.output()).not.toContain(key.slice(12));
    await request(url).get('/api/users/me').set('X-API-Key', key).expect(200);
  });
});

describe('npm run cli -- users:* and keys:*', () => {
  it('creates a user and prints the key once; the running app accepts it', async () => {
    const created = await cli(
      'users:create',
      '--email',
      'Cli@Example.com',
      '--key-name',
      'terminal',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created user cli@example\.com \(id [0-9a-f-]{36}\)$/m);
    const key = keyIn(created.stdout)!;
    const me = await request(url).get('/api/users/me').set('X-API-Key', key).expect(200);
    expect(me.body).toMatchObject({ email: 'cli@example.com', isAdmin: false });

    const admin = await cli('users:create', '--email', 'boss@example.com', '--admin');
    expect(admin.stdout).toContain('created admin boss@example.com');

    const list = await cli('users:list');
    expect(list.stdout).toMatch(/admin@localhost\s+admin\s+1 active key/);
    expect(list.stdout).toMatch(/cli@example\.com\s+user\s+1 active key/);
    expect(list.stdout).not.toContain('cvk_');
  });

  it('refuses a taken email and a missing --email with one clear line', async () => {
    const taken = await cli('users:create', '--email', 'cli@example.com');
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe(
      'conveyor: A user with the email cli@example.com already exists.',
    );
    const missing = await cli('users:create');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('users:create needs --email <address>');
    const unknown = await cli('users:create', '--email', 'x@example.com', '--admn');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown option '--admn'");
  });

  it('creates, lists and revokes keys; a revoke from the CLI is refused by the app at once', async () => {
    const created = await cli('keys:create', '--email', 'cli@example.com', '--name', 'ci');
    const key = keyIn(created.stdout)!;
    const prefixShown = key.slice(0, 12);
    await request(url).get('/api/users/me').set('X-API-Key', key).expect(200);
    await request(url).get('/api/users/me').set('X-API-Key', key).expect(200); // cached now

    const listed = await cli('keys:list', '--email', 'cli@example.com');
    expect(listed.stdout).toContain(`${prefixShown}…  active   ci`);
    expect(listed.stdout).toContain('terminal');
    expect(listed.stdout).not.toContain(key);

    const revoked = await cli('keys:revoke', prefixShown);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toBe('');
    expect(revoked.stdout).toContain(`revoked: `);
    expect(revoked.stdout).toContain(`${prefixShown}…  revoked  ci`);
    const refused = await request(url).get('/api/users/me').set('X-API-Key', key).expect(401);
    expect(refused.body.message).toBe('This API key has been revoked.');

    const nothing = await cli('keys:revoke', 'cvk_nothing0');
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('API key cvk_nothing0 not found');
  });
});

describe('a restart', () => {
  it('creates no second admin and keeps the key file', async () => {
    const before = await readFile(join(dataDir, 'admin-key'), 'utf8');
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    app = spawnConveyor('dist/src/main.js', env());
    url = await app.ready;
    expect(app.output()).not.toContain('created the admin');
    expect(await readFile(join(dataDir, 'admin-key'), 'utf8')).toBe(before);
    await request(url).get('/api/users/me').set('X-API-Key', before.trim()).expect(200);
  });
});
