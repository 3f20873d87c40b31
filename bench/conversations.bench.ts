// Conversations (issue 9, acceptance 5). The fake OpenAI server (300 ms to the first token, then
// 50 tokens/s, 100-token answers) and the clients run as processes of their own; the app runs here
// on the embedded database. Figures:
// - 200 concurrent chats (POST /api/process-message, then the answer over SSE): time to first
//   token as the client sees it, against the provider's own (the same 200 streams straight from
//   the fake), p50 and p95, and the difference (target: p95 added < 50 ms); delivered tokens/s per
//   stream against the provider's (target >= 95%); the app's event-loop delay p99 meanwhile.
// - 1,000 SSE connections held open on answers that have not started (the model hangs): all
//   connected, heartbeats received by each, RSS per connection, event-loop delay p99.
// Retrieval is off in the bench chatbot (top_k 0): the figures are the streaming path's.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { projectRoot } from '../src/core/project-root.js';
import { StreamEventsService } from '../src/modules/conversations/streaming/stream-events.service.js';
import { startTestApp } from '../test/support/test-app.js';
import { BenchReport } from './bench-report.js';

const CHATS = Number(process.env.BENCH_CHATS ?? 200);
const IDLE = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 1000);
const IDLE_STREAMS = 10;
const HOLD_MS = 12_000;

interface StreamTiming {
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
  ok: boolean;
  postMs: number;
}

function child(script: string, env: Record<string, string> = {}): ChildProcess {
  return fork(join(projectRoot(), 'dist/bench', script), [], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
}

function next<T>(proc: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if ('error' in message) reject(new Error(String(message.error)));
      else if (key in message) {
        proc.off('message', onMessage);
        resolve(message[key] as T);
      }
    };
    proc.on('message', onMessage);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const report = new BenchReport('conversations');
const fake = child('conversations-fake.js');
const fakeUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  fake.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const found = /listening at (\S+)/.exec(out);
    if (found) resolve(found[1]);
  });
  fake.once('exit', (code) => reject(new Error(`the fake server exited ${code}`)));
});
const clients = child('conversations-clients.js');
await next(clients, 'ready');

const t = await startTestApp({
  env: {
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: fakeUrl,
    LLM_MODELS: 'gpt-4o-mini',
    LLM_RPM: '1000000',
    LLM_TPM: '0',
    LLM_TIMEOUT_MS: '120000',
    CONVERSATIONS_CONCURRENCY: '512',
    CONVERSATIONS_SSE_HEARTBEAT_SECONDS: '5',
    LOG_LEVEL: 'error',
  },
});
try {
  await t.http
    .post('/api/chatbots')
    .send({ slug: 'bench', name: 'Bench', flows: [{ flow_key: 'main', top_k: 0 }] })
    .expect(201);
  // Warm up: connections, the key cache, the JIT.
  clients.send({ cmd: 'chats', app: t.url, key: t.user.key, chatbot: 'bench', concurrency: 10 });
  await next(clients, 'timings');

  clients.send({ cmd: 'provider', url: fakeUrl, concurrency: CHATS });
  const provider = await next<StreamTiming[]>(clients, 'timings');

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  clients.send({ cmd: 'chats', app: t.url, key: t.user.key, chatbot: 'bench', concurrency: CHATS });
  const ours = await next<StreamTiming[]>(clients, 'timings');
  loop.disable();
  const failed = ours.filter((timing) => !timing.ok).length;
  if (failed > 0) throw new Error(`${failed} of ${CHATS} chats did not end with done`);

  const ourTtft = ours.map((timing) => timing.ttftMs);
  const theirTtft = provider.map((timing) => timing.ttftMs);
  const theirRate = percentile(
    provider.map((timing) => timing.tokensPerSecond),
    50,
  );
  report.record({ metric: 'chats', value: CHATS, unit: 'concurrent chats' });
  // The machine is shared: its load during the run says how far the timings can be trusted.
  report.record({ metric: 'machine_load_1m', value: loadavg()[0], unit: 'runnable tasks' });
  report.record({ metric: 'ttft_p50', value: percentile(ourTtft, 50), unit: 'ms' });
  report.record({ metric: 'ttft_p95', value: percentile(ourTtft, 95), unit: 'ms' });
  report.record({ metric: 'provider_ttft_p50', value: percentile(theirTtft, 50), unit: 'ms' });
  report.record({ metric: 'provider_ttft_p95', value: percentile(theirTtft, 95), unit: 'ms' });
  report.record({
    metric: 'added_ttft_p50',
    value: percentile(ourTtft, 50) - percentile(theirTtft, 50),
    unit: 'ms',
  });
  report.record({
    metric: 'added_ttft_p95',
    value: percentile(ourTtft, 95) - percentile(theirTtft, 95),
    unit: 'ms',
    target: '< 50',
  });
  report.record({
    metric: 'process_message_response_p50',
    value: percentile(
      ours.map((timing) => timing.postMs),
      50,
    ),
    unit: 'ms',
  });
  // Where the time went, from the app's own records of the same answers.
  const [inside] = await t.db.query(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.processing_started_at - s.created_at) * 1000) AS queued_p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM s.processing_started_at - s.created_at) * 1000) AS queued_p95,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY m.time_to_first_token_ms) AS server_ttft_p50
       FROM streaming_sessions s JOIN conversation_processing_metrics m ON m.streaming_session_id = s.id
      WHERE s.created_at > now() - interval '10 minutes'`,
  );
  report.record({
    metric: 'queued_before_start_p50',
    value: Number(inside.queued_p50),
    unit: 'ms',
  });
  report.record({
    metric: 'queued_before_start_p95',
    value: Number(inside.queued_p95),
    unit: 'ms',
  });
  report.record({ metric: 'server_ttft_p50', value: Number(inside.server_ttft_p50), unit: 'ms' });
  // Delivered tokens/s per stream: the pace at which each answer's token events were appended and
  // pushed to its live connections (a client that connects late gets the backlog in one burst,
  // which says nothing about streaming), against the provider's own pace for the same load.
  const [pace] = await t.db.query(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY tokens_per_second) AS p50,
            percentile_cont(0.05) WITHIN GROUP (ORDER BY tokens_per_second) AS p5
       FROM conversation_processing_metrics WHERE created_at > now() - interval '10 minutes' AND tokens > 10`,
  );
  report.record({
    metric: 'tokens_per_second_per_stream_p50',
    value: Number(pace.p50),
    unit: 'tokens/s',
  });
  report.record({
    metric: 'provider_tokens_per_second_per_stream_p50',
    value: theirRate,
    unit: 'tokens/s',
  });
  report.record({
    metric: 'tokens_per_second_ratio',
    value: Number(pace.p50) / theirRate,
    unit: 'ratio',
    target: '>= 0.95',
  });
  report.record({
    metric: 'tokens_per_second_ratio_p5_stream',
    value: Number(pace.p5) / theirRate,
    unit: 'ratio',
  });
  report.record({
    metric: 'event_loop_delay_p99',
    value: loop.percentile(99) / 1e6,
    unit: 'ms',
  });

  // 1,000 idle SSE connections on answers whose model never starts.
  fake.send({
    inject: { fault: { type: 'hang' }, match: { path: 'chat' }, times: IDLE_STREAMS },
  });
  await next(fake, 'injected');
  const streams: string[] = [];
  for (let i = 0; i < IDLE_STREAMS; i++) {
    const res = await t.http
      .post('/api/process-message')
      .send({ chatbot_id: 'bench', message_text: `idle ${i}` })
      .expect(200);
    streams.push(res.body.streaming_session_id as string);
  }
  const rssBefore = process.memoryUsage().rss;
  const sse = t.get(StreamEventsService);
  const idleLoop = monitorEventLoopDelay({ resolution: 10 });
  clients.send({
    cmd: 'idle',
    app: t.url,
    key: t.user.key,
    urls: Array.from(
      { length: IDLE },
      (_, i) => `${t.url}/api/stream-events/${streams[i % IDLE_STREAMS]}`,
    ),
  });
  const idleResult = next<{
    status200: number;
    endedByServer: number;
    withHeartbeat: number;
    minHeartbeats: number;
  }>(clients, 'idle');
  const deadline = Date.now() + 60_000;
  while (sse.openConnections < IDLE && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const held = sse.openConnections;
  idleLoop.enable();
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
  idleLoop.disable();
  const rssHeld = process.memoryUsage().rss;
  for (const id of streams) await t.http.post(`/api/stream-events/${id}/stop`).expect(202);
  const idle = await idleResult;
  report.record({
    metric: 'idle_sse_connections_held',
    value: held,
    unit: 'connections',
    target: `>= ${IDLE}`,
  });
  report.record({
    metric: 'idle_sse_with_heartbeat',
    value: idle.withHeartbeat,
    unit: 'connections',
  });
  report.record({
    metric: 'idle_sse_ended_by_stop',
    value: idle.endedByServer,
    unit: 'connections',
  });
  report.record({
    metric: 'idle_sse_rss_per_connection',
    value: (rssHeld - rssBefore) / 1024 / Math.max(1, held),
    unit: 'KB',
  });
  report.record({
    metric: 'idle_event_loop_delay_p99',
    value: idleLoop.percentile(99) / 1e6,
    unit: 'ms',
  });
} finally {
  await t.close();
  clients.kill('SIGTERM');
  fake.kill('SIGTERM');
}
