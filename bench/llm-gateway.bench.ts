// The LLM gateway against the fake OpenAI server (run as its own process, as `npm run fake-llm`):
//  1. throughput: 200 ms latency, a 6,000 RPM limit, 60 s: achieved requests vs the limit;
//  2. overhead: a zero-latency fake, no limit, sequential calls: what the gateway adds to each call
//     (latency - provider time: tokenizing, the Redis limiter round trip, accounting), p50 and p99
//     (median of 3 rounds), and for context a raw SDK call to the same server.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import { LlmService } from '../src/core/llm/llm.service.js';
import type { LlmRequest } from '../src/core/llm/llm.types.js';
import { projectRoot } from '../src/core/project-root.js';
import { startTestApp, type TestApp } from '../test/support/test-app.js';
import { BenchReport, median, percentile } from './bench-report.js';

const LIMIT_RPM = 6000;
const THROUGHPUT_SECONDS = 60;
const OVERHEAD_ROUNDS = 3;
const OVERHEAD_CALLS = 1500;
const WARM_UP_CALLS = 300;

interface FakeProcess {
  url: string;
  child: ChildProcess;
  stats(): Promise<{ counts: { total: number }; arrivals: number[] }>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The fake server as a separate process, so its work does not count as the gateway's. */
async function startFakeProcess(latencyMs: number): Promise<FakeProcess> {
  const child = spawn(
    process.execPath,
    [
      join(projectRoot(), 'dist/test/support/fake-openai/cli.js'),
      '--port',
      '0',
      '--latency-ms',
      String(latencyMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`fake-llm exited ${code}: ${out}`)));
  });
  return {
    url,
    child,
    stats: async () =>
      (await (await fetch(`${url}/_fake/stats`)).json()) as {
        counts: { total: number };
        arrivals: number[];
      },
    reset: async () => {
      await fetch(`${url}/_fake/reset`, { method: 'POST' });
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const request = (i: number): LlmRequest => ({
  task: 'generic',
  messages: [
    { role: 'system', content: 'You write one short sentence.' },
    { role: 'user', content: `Describe conveyor belt number ${i} in a few words.` },
  ],
  maxTokens: 64,
  ref: { kind: 'bench', id: 'llm-gateway' },
});

async function throughput(report: BenchReport): Promise<void> {
  const fake = await startFakeProcess(200);
  let t: TestApp | undefined;
  try {
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-bench',
        OPENAI_BASE_URL: fake.url,
        LLM_MODELS: 'gpt-4o-mini',
        LLM_RPM: String(LIMIT_RPM),
        LLM_TPM: '10000000',
        LLM_TIMEOUT_MS: '10000',
      },
    });
    const llm = t.get(LlmService);
    // 100 requests/s at 200 ms each need ~20 in flight; more callers than that queue at the limiter.
    const callers = 64;
    const started = Date.now();
    const deadline = started + THROUGHPUT_SECONDS * 1000;
    let done = 0;
    let failed = 0;
    let i = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (Date.now() < deadline) {
          await llm.complete(request(i++)).then(
            () => done++,
            () => failed++,
          );
        }
      }),
    );
    const { arrivals } = await fake.stats();
    const inWindow = arrivals.filter((at) => at >= started && at < deadline).length;
    const achievedRpm = inWindow / THROUGHPUT_SECONDS;
    const rpm = achievedRpm * 60;
    report.record({ metric: 'achieved_rpm', value: rpm, unit: 'requests/min' });
    report.record({
      metric: 'limit_utilisation',
      value: rpm / LIMIT_RPM,
      unit: 'ratio',
      target: '>= 0.95',
    });
    report.record({ metric: 'failed_calls', value: failed, unit: 'calls', target: '<= 0' });
    // The pacing seen by the server: the busiest sliding 10 s, relative to the limit's share.
    const sortedArrivals = arrivals
      .filter((at) => at >= started && at < deadline)
      .sort((a, b) => a - b);
    let busiest = 0;
    for (let k = 0, j = 0; k < sortedArrivals.length; k++) {
      while (sortedArrivals[k] - sortedArrivals[j] >= 10_000) j++;
      busiest = Math.max(busiest, k - j + 1);
    }
    report.record({
      metric: 'busiest_10s_window_vs_limit',
      value: busiest / (LIMIT_RPM / 6),
      unit: 'ratio',
      target: '<= 1.05',
    });
    process.stderr.write(
      `throughput: ${done} calls in ${THROUGHPUT_SECONDS} s, ${inWindow} requests reached the fake inside the window\n`,
    );
  } finally {
    await t?.close();
    await fake.stop();
  }
}

async function overhead(report: BenchReport): Promise<void> {
  const fake = await startFakeProcess(0);
  let t: TestApp | undefined;
  try {
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-bench',
        OPENAI_BASE_URL: fake.url,
        LLM_MODELS: 'gpt-4o-mini',
        LLM_RPM: '0',
        LLM_TPM: '0',
      },
    });
    const llm = t.get(LlmService);
    const raw = new OpenAI({ apiKey: 'sk-bench', baseURL: fake.url, maxRetries: 0 });
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const rounds: { p50: number; p99: number; gateway: number; raw: number }[] = [];
    for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
      const overheads: number[] = [];
      const gatewayCalls: number[] = [];
      const rawCalls: number[] = [];
      const warmUp = round === 0 ? WARM_UP_CALLS : 0;
      for (let i = 0; i < warmUp + OVERHEAD_CALLS; i++) {
        const result = await llm.complete(request(i));
        // Interleaved, so both see the same machine load.
        const rawStarted = performance.now();
        await raw.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: request(i).messages,
          max_tokens: 64,
        });
        const rawMs = performance.now() - rawStarted;
        if (i < warmUp) continue;
        overheads.push(result.latencyMs - result.providerMs - result.queuedMs);
        gatewayCalls.push(result.latencyMs);
        rawCalls.push(rawMs);
      }
      const o = sorted(overheads);
      rounds.push({
        p50: percentile(o, 50),
        p99: percentile(o, 99),
        gateway: percentile(sorted(gatewayCalls), 50),
        raw: percentile(sorted(rawCalls), 50),
      });
    }
    // Timings are noisy on a shared machine: the median of the rounds.
    const of = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
    report.record({
      metric: 'overhead_p50_ms',
      value: of((r) => r.p50),
      unit: 'ms',
      target: '< 1',
    });
    report.record({
      metric: 'overhead_p99_ms',
      value: of((r) => r.p99),
      unit: 'ms',
      target: '< 5',
    });
    report.record({ metric: 'gateway_call_p50_ms', value: of((r) => r.gateway), unit: 'ms' });
    report.record({ metric: 'raw_sdk_call_p50_ms', value: of((r) => r.raw), unit: 'ms' });
    process.stderr.write(
      `overhead rounds (p50/p99 ms): ${rounds.map((r) => `${r.p50.toFixed(2)}/${r.p99.toFixed(2)}`).join(', ')}\n`,
    );
  } finally {
    await t?.close();
    await fake.stop();
  }
}

const report = new BenchReport('llm-gateway');
await throughput(report);
await overhead(report);
process.exit(0);
