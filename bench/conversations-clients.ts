// The clients of bench/conversations, as a process of their own so that their work does not land
// on the app's event loop. Commands arrive over IPC; each answers with its measurements.
import { readSse } from '../test/support/sse-client.js';

interface StreamTiming {
  /** ms from sending the request to the first token. */
  ttftMs: number;
  /** Tokens per second between the first and the last token. */
  tokensPerSecond: number;
  tokens: number;
  ok: boolean;
  /** ms until POST /api/process-message answered (0 for the provider). */
  postMs: number;
}

type Command =
  | { cmd: 'provider'; url: string; concurrency: number }
  | { cmd: 'chats'; app: string; key: string; chatbot: string; concurrency: number }
  | { cmd: 'idle'; app: string; key: string; urls: string[] }
  | { cmd: 'release' };

function rate(tokens: number, first: number, last: number): number {
  return tokens > 1 && last > first ? ((tokens - 1) * 1000) / (last - first) : 0;
}

/** One streamed completion straight from the provider (the fake), timed like ours. */
async function providerStream(url: string): Promise<StreamTiming> {
  const started = performance.now();
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let first = 0;
  let last = 0;
  let tokens = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let at: number;
    while ((at = buffer.indexOf('\n\n')) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string } }[] };
      if (chunk.choices[0]?.delta?.content) {
        const now = performance.now();
        if (tokens === 0) first = now;
        last = now;
        tokens++;
      }
    }
  }
  return {
    ttftMs: first - started,
    tokensPerSecond: rate(tokens, first, last),
    tokens,
    ok: tokens > 0,
    postMs: 0,
  };
}

/** One chat through the app: POST /api/process-message, then the answer over SSE. */
async function chat(app: string, key: string, chatbot: string, i: number): Promise<StreamTiming> {
  const started = performance.now();
  const res = await fetch(`${app}/api/process-message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ chatbot_id: chatbot, message_text: `bench message ${i}` }),
  });
  const body = (await res.json()) as { streaming_url: string };
  const postMs = performance.now() - started;
  let first = 0;
  let last = 0;
  let tokens = 0;
  let ok = false;
  await readSse(`${app}${body.streaming_url}`, {
    key,
    onMessage: (message) => {
      if (message.event === 'token') {
        const now = performance.now();
        if (tokens === 0) first = now;
        last = now;
        tokens++;
      }
      if (message.event === 'done') ok = true;
    },
  });
  return {
    ttftMs: first - started,
    tokensPerSecond: rate(tokens, first, last),
    tokens,
    ok,
    postMs,
  };
}

let release: (() => void) | undefined;

process.on('message', (command: Command) => {
  void (async () => {
    if (command.cmd === 'provider') {
      const timings = await Promise.all(
        Array.from({ length: command.concurrency }, () => providerStream(command.url)),
      );
      process.send!({ timings });
    } else if (command.cmd === 'chats') {
      const timings = await Promise.all(
        Array.from({ length: command.concurrency }, (_, i) =>
          chat(command.app, command.key, command.chatbot, i),
        ),
      );
      process.send!({ timings });
    } else if (command.cmd === 'idle') {
      const stop = new AbortController();
      release = () => stop.abort();
      const results = await Promise.all(
        command.urls.map((url) => readSse(url, { key: command.key, signal: stop.signal })),
      );
      const heartbeats = results.map(
        (r) => r.comments.filter((c) => c.startsWith('heartbeat')).length,
      );
      process.send!({
        idle: {
          status200: results.filter((r) => r.status === 200).length,
          endedByServer: results.filter((r) => r.endedByServer).length,
          withHeartbeat: heartbeats.filter((n) => n > 0).length,
          minHeartbeats: Math.min(...heartbeats),
        },
      });
    } else if (command.cmd === 'release') {
      release?.();
    }
  })().catch((error: unknown) => process.send!({ error: String(error) }));
});
process.send!({ ready: true });
