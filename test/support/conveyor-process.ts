import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ConveyorProcess {
  child: ChildProcess;
  /** Resolves with the URL once the app logs that it is ready; rejects if it exits first. */
  ready: Promise<string>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  output(): string;
}

/**
 * Runs a built entry point (npm test builds first) as a real process, for what only a process can
 * show: exit codes, signals, children left behind, a crash and a restart.
 */
export function spawnConveyor(
  entry = 'dist/src/main.js',
  env: Record<string, string> = {},
): ConveyorProcess {
  const child = spawn(process.execPath, [join(process.cwd(), entry)], {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /ready in \d+ ms at (http:\/\/[^\s;"]+)/.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`conveyor exited (${code}) before it was ready:\n${output}`)),
    );
  });
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => output };
}

/** PIDs of processes whose command line mentions `needle` (e.g. a test's data directory). */
export async function processesMentioning(needle: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}
