// One gateway instance under load, as a process of its own: boots the real app (no HTTP, no
// workers) with the environment it was given, makes LOAD_CALLS calls with LOAD_CONCURRENCY in
// flight, prints one JSON line with what happened, and exits. Two of these sharing a Redis
// prefix show that the rate limit holds across processes (test/e2e/llm-multiprocess).
//   node dist/test/support/apps/llm-load.app.js
import 'reflect-metadata';
import { startConveyor } from '../../../src/bootstrap.js';
import { loadConfig } from '../../../src/core/config/config.js';
import { LlmService } from '../../../src/core/llm/llm.service.js';
import { AppLogger } from '../../../src/core/logging/app-logger.js';

const calls = Number(process.argv[2] ?? 300);
const concurrency = Number(process.argv[3] ?? 20);
const label = process.argv[4] ?? 'instance';

const config = loadConfig();
const conveyor = await startConveyor(config, {
  logger: new AppLogger('warn', 'json', process.stderr),
});
const llm = conveyor.app.get(LlmService);
let next = 0;
let failed = 0;
const errors = new Set<string>();
const started = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < calls) {
      const i = next++;
      await llm
        .complete({
          task: 'generic',
          messages: [{ role: 'user', content: `${label} call ${i}` }],
          maxTokens: 64,
          ref: { kind: 'load-test', id: label },
        })
        .catch((error: unknown) => {
          failed++;
          errors.add((error as Error).message);
        });
    }
  }),
);
const usage = await llm.usageByRef({ kind: 'load-test', id: label });
process.stdout.write(
  `${JSON.stringify({ label, calls, failed, errors: [...errors], ms: Date.now() - started, recorded: usage.calls })}\n`,
);
await conveyor.stop();
process.exit(0);
