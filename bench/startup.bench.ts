// Cold start (fresh data directory: PGlite initdb + migrations) and warm start (existing data),
// measured from spawning the process to the first 200 from /health. Median of 3 runs each.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeysWithPrefix } from '../test/support/redis-keys.js';
import { spawnConveyor } from '../test/support/conveyor-process.js';
import { BenchReport, median } from './bench-report.js';

const RUNS = 3;

async function timeStart(dataDir: string, prefix: string): Promise<number> {
  const started = performance.now();
  const proc = spawnConveyor('dist/src/main.js', {
    DATA_DIR: dataDir,
    PORT: '0',
    QUEUE_PREFIX: prefix,
  });
  const url = await Promise.race([
    proc.ready,
    new Promise<string>((_, reject) =>
      setTimeout(() => reject(new Error(`no ready line:\n${proc.output()}`)), 60_000),
    ),
  ]);
  for (;;) {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const elapsed = performance.now() - started;
  proc.child.kill('SIGTERM');
  await proc.exited;
  return elapsed;
}

const report = new BenchReport('startup');
const cold: number[] = [];
const warm: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'conveyor-bench-startup-'));
  const prefix = `bench-startup-${randomUUID().slice(0, 8)}`;
  try {
    cold.push(await timeStart(dataDir, prefix));
    warm.push(await timeStart(dataDir, prefix));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await deleteKeysWithPrefix('redis://127.0.0.1:6379', prefix);
  }
}
report.record({ metric: 'cold_start_ms', value: median(cold), unit: 'ms', target: '< 15000' });
report.record({ metric: 'warm_start_ms', value: median(warm), unit: 'ms', target: '< 5000' });
