import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BootError } from '../boot-error.js';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * The app itself uses one connection (PGlite is a single session); the rest leave room for the
   * CLI and benchmarks to connect while the app runs.
   */
  maxConnections?: number;
  startTimeoutMs?: number;
}

type ChildMessage = { type: 'ready'; port: number } | { type: 'error'; message: string };

/** Starts and stops the embedded PGlite server process (see embedded-postgres.child.mjs). */
export class EmbeddedPostgres {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgresql://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const script = fileURLToPath(new URL('./embedded-postgres.child.mjs', import.meta.url));
    const child = fork(
      script,
      [
        JSON.stringify({
          dataDir: options.dataDir,
          port: options.port,
          maxConnections: options.maxConnections ?? 4,
        }),
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] },
    );
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new BootError(
            `the embedded database did not start within ${options.startTimeoutMs ?? 60000} ms`,
          ),
        );
      }, options.startTimeoutMs ?? 60000);
      child.once('message', (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.port);
        else reject(new BootError(`the embedded database could not start: ${message.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new BootError(`the embedded database exited during start-up (code ${code})`));
      });
    });
    child.removeAllListeners('exit');
    return new EmbeddedPostgres(child, port);
  }

  /** Stops the server and waits for its process to exit (killing it after the timeout). */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The URL of an embedded server another process (a running app) already serves from this data
 * directory, if any: the CLI connects to it instead of fighting over the directory.
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  try {
    const { pid, port } = JSON.parse(
      readFileSync(join(dataDir, 'conveyor-server.json'), 'utf8'),
    ) as { pid: number; port: number };
    process.kill(pid, 0);
    return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  } catch {
    return undefined;
  }
}
