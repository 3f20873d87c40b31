import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Bull from 'bull';
import { processesMentioning, spawnConveyor } from '../support/conveyor-process.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';

// These run the built app (dist/) as a real process: exit codes, signals and children left behind
// are only visible from outside.

const REDIS = 'redis://127.0.0.1:6379';

describe('start-up failures', () => {
  it('exits non-zero naming the variable when a value is bad', async () => {
    const proc = spawnConveyor('dist/src/main.js', {
      PORT: 'abc',
      DATA_DIR: join(tmpdir(), 'conveyor-unused'),
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('PORT must be an integer, got "abc"');
    expect(proc.output()).not.toMatch(/\n\s+at /);
  });

  it('names the missing pgvector extension when DATABASE_URL points at a server without it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-novector-'));
    try {
      const proc = spawnConveyor('dist/src/main.js', {
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
        DATA_DIR: dataDir,
        QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
      });
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toMatch(/does not have the pgvector extension \("vector"\)/);
      expect(proc.output()).not.toMatch(/\n\s+at /);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM with jobs running: exits within 15 s, leaves no job active and no child process', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-sigterm-'));
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const proc = spawnConveyor('dist/test/support/apps/slow-jobs.app.js', {
      DATA_DIR: dataDir,
      PORT: '0',
      QUEUE_PREFIX: prefix,
      SHUTDOWN_GRACE_MS: '3000',
    });
    const queue = new Bull('slow', REDIS, { prefix });
    try {
      await proc.ready;
      await queue.add('sleep', { ms: 500 }, { jobId: 'short' });
      await queue.add('sleep', { ms: 60_000 }, { jobId: 'long-polite', attempts: 2 });
      await queue.add(
        'sleep',
        { ms: 60_000, ignoreSignal: true },
        { jobId: 'long-stubborn', attempts: 2 },
      );
      for (let tries = 0; (await queue.getActiveCount()) < 2 && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const embeddedPids = await processesMentioning(dataDir);
      expect(embeddedPids.length).toBeGreaterThan(0);

      const signalled = Date.now();
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(15_000);

      expect(await queue.getActiveCount()).toBe(0);
      const states = Object.fromEntries(
        await Promise.all(
          ['short', 'long-polite', 'long-stubborn'].map(async (id) => [
            id,
            (await (await queue.getJob(id))?.getState()) ?? 'removed',
          ]),
        ),
      );
      // The short job finished within the grace period; the long ones went back to the queue.
      expect(states.short).toBe('completed');
      expect(['waiting', 'delayed']).toContain(states['long-polite']);
      expect(['waiting', 'delayed']).toContain(states['long-stubborn']);
      expect(await processesMentioning(dataDir)).toEqual([]);
      expect(proc.output()).toContain('interrupting');
    } finally {
      proc.child.kill('SIGKILL');
      await queue.close();
      await deleteKeysWithPrefix(REDIS, prefix);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('embedded database', () => {
  it('keeps its data across a stop and a start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-restart-'));
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const env = { DATA_DIR: dataDir, PORT: '0', QUEUE_PREFIX: prefix };
    try {
      const first = spawnConveyor('dist/src/main.js', env);
      await first.ready;
      expect(first.output()).toContain('ran migrations');
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(existsSync(join(dataDir, 'pg', 'conveyor.lock'))).toBe(false);

      const second = spawnConveyor('dist/src/main.js', env);
      const url = await second.ready;
      // Nothing to migrate the second time: the schema (and everything in it) survived.
      expect(second.output()).not.toContain('ran migrations');
      const health = (await (await fetch(`${url}/health`)).json()) as {
        database: { vector: boolean };
      };
      expect(health.database.vector).toBe(true);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await deleteKeysWithPrefix(REDIS, prefix);
      await rm(dataDir, { recursive: true, force: true });
    }
    // Two cold boots of the whole app: a few seconds each on a quiet machine, many times that on a
    // loaded one; the guard only stops a hang.
  }, 180_000);

  it('refuses a second instance on the same data directory with a clear message', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-twice-'));
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const env = { DATA_DIR: dataDir, PORT: '0', QUEUE_PREFIX: prefix };
    const first = spawnConveyor('dist/src/main.js', env);
    try {
      await first.ready;
      const second = spawnConveyor('dist/src/main.js', env);
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/in use by process \d+/);
      expect(readFileSync(join(dataDir, 'pg', 'conveyor.lock'), 'utf8').trim()).toMatch(/^\d+$/);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
      await deleteKeysWithPrefix(REDIS, prefix);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
