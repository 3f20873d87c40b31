import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { BootError } from '../boot-error.js';
import { processEnv } from '../config/config.js';
import { probeRedis } from './redis-probe.js';

interface StateFile {
  port: number;
  pid: number;
}

/**
 * A redis-server of the app's own (port of its own, AOF on, data in DATA_DIR/redis), used when no
 * Redis answers at REDIS_URL. If a previous run was killed before it could stop its Redis, the next
 * run adopts that server (same data) instead of starting a second one.
 */
export class PrivateRedis {
  private constructor(
    readonly port: number,
    private readonly pid: number,
    private readonly child?: ChildProcess,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static findBinary(): string | undefined {
    for (const dir of (processEnv().PATH ?? '').split(delimiter)) {
      const candidate = join(dir, 'redis-server');
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
    return undefined;
  }

  static async start(dir: string, binary: string): Promise<PrivateRedis> {
    mkdirSync(dir, { recursive: true });
    const stateFile = join(dir, 'redis.json');
    if (existsSync(stateFile)) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile;
      if (isAlive(state.pid) && (await probeRedis(`redis://127.0.0.1:${state.port}`, 500)).ok) {
        return new PrivateRedis(state.port, state.pid);
      }
    }
    const port = await freePort();
    const child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
        '--logfile',
        join(dir, 'redis.log'),
      ],
      // Its own process group: a Ctrl-C in the terminal must not stop Redis before the app has
      // handed its active jobs back.
      { detached: true, stdio: 'ignore' },
    );
    if (child.pid === undefined) throw new BootError(`could not start ${binary}`);
    const redis = new PrivateRedis(port, child.pid, child);
    const deadline = Date.now() + 10_000;
    while (!(await probeRedis(redis.url, 300)).ok) {
      if (child.exitCode !== null) {
        throw new BootError(
          `the private redis-server exited at start (code ${child.exitCode}); see ${join(dir, 'redis.log')}`,
        );
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new BootError(
          `the private redis-server did not answer within 10 s; see ${join(dir, 'redis.log')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    writeFileSync(stateFile, JSON.stringify({ port, pid: child.pid } satisfies StateFile));
    return redis;
  }

  /** Asks Redis to shut down (it rewrites nothing: AOF is already on disk) and waits for it. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (!isAlive(this.pid)) return;
    const exited = this.child
      ? new Promise<void>((resolve) =>
          this.child!.exitCode !== null ? resolve() : this.child!.once('exit', () => resolve()),
        )
      : undefined;
    process.kill(this.pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isAlive(this.pid) && Date.now() < deadline) {
      if (exited) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (isAlive(this.pid)) process.kill(this.pid, 'SIGKILL');
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
