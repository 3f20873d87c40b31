import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { ConversationsUpkeep } from '../../src/modules/conversations/conversations-upkeep.service.js';
import {
  createChatbot,
  poll,
  pollToEnd,
  sendMessage,
  tokensOf,
  TINY_PNG_BASE64,
  type PolledEvent,
} from '../support/factories/conversations.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import {
  feedmeFixture,
  qaExtractionResponder,
  uploadTranscript,
} from '../support/factories/feedme.js';
import { readSse } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Seed 004 end to end: messages in through the seed's endpoints, answers streamed by the gateway
// from the fake OpenAI server, stored as events and read back by polling and SSE. Acceptance 1-3
// of issue 9, plus routing, parallel/sequential flows, retrieval with citations, stop, images,
// ownership, recovery after a crash and cleanup.

const run = promisify(execFile);
let t: TestApp;
let fake: FakeOpenAI;
/** Words of each chat answer (numbered, so every token is distinct). */
let answerWords = 12;
let tokensPerSecond: number | undefined;
let routingChoice = 'sales';
const chatPrompts: {
  system: string;
  user: string;
  messages: { role: string; content: string }[];
}[] = [];

function answerFor(flow: string): string {
  return [`${flow}:`, ...Array.from({ length: answerWords }, (_, i) => `${flow}${i + 1}`)].join(
    ' ',
  );
}

beforeAll(async () => {
  fake = await startFakeOpenAI({
    latencyMs: 0,
    respond: (req) => {
      // FeedMe's extraction of Q&A pairs from a transcript (the retrieval tests' knowledge).
      const extraction = qaExtractionResponder(req);
      if (extraction) return extraction;
      if (req.responseFormat) return { json: { flow: routingChoice, confidence: 0.9 } };
      const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
      const user = req.messages[req.messages.length - 1]?.content ?? '';
      chatPrompts.push({ system, user, messages: req.messages });
      const flow = /^Flow (\S+)\./.exec(system)?.[1] ?? 'unknown';
      return { content: answerFor(flow), tokensPerSecond };
    },
  });
  t = await startTestApp({
    env: llmTestEnv(fake.url, {
      CONVERSATIONS_EVENT_FLUSH_MS: '20',
      CONVERSATIONS_SSE_HEARTBEAT_SECONDS: '1',
    }),
  });
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

function expectConsecutive(events: { id: number }[], from: number) {
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => from + i));
}

describe("the seed's curl commands (acceptance 1)", () => {
  it('answer with the documented shapes, run as written with an API key added', async () => {
    await createChatbot(t.http, 'test', [
      { flow_key: 'main', api_key: 'sk-live-abcdefghijklmnop1234' },
    ]);
    const base = t.url;
    const key = ['-H', `X-API-Key: ${t.user.key}`];
    // curl -X POST http://localhost:3000/api/process-message -H "Content-Type: application/json" -d '{"user_id":"test","chatbot_id":"test","message_text":"Hello"}'
    const posted = await run('curl', [
      '-s',
      '-X',
      'POST',
      `${base}/api/process-message`,
      '-H',
      'Content-Type: application/json',
      ...key,
      '-d',
      '{"user_id":"test","chatbot_id":"test","message_text":"Hello"}',
    ]);
    const started = JSON.parse(posted.stdout) as Record<string, unknown>;
    expect(started).toEqual({
      success: true,
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      streaming_session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      flow_type: 'main',
      streaming_url: `/api/stream-events/${started.streaming_session_id as string}`,
    });

    const { events, status } = await pollToEnd(t.http, started.streaming_session_id as string);
    expect(status).toBe('completed');
    const first = events[0];
    expect(Object.keys(first).sort()).toEqual(['data', 'event', 'id', 'timestamp']);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['start', 'flow', 'token', 'done']),
    );
    const token = events.find((e) => e.event === 'token')!;
    expect(token.data).toEqual({ token: expect.any(String), markers: { flow: 'main' } });
    const polled = await poll(t.http, started.streaming_session_id as string, 0);
    expect(Object.keys(polled).sort()).toEqual([
      'events',
      'has_more',
      'last_event_id',
      'session_status',
    ]);
    expect(polled.last_event_id).toBe(events[events.length - 1].id);
    expect(polled.has_more).toBe(false);

    // curl http://localhost:3000/api/conversation-config/test
    const config = JSON.parse(
      (await run('curl', ['-s', `${base}/api/conversation-config/test`, ...key])).stdout,
    );
    expect(config).toEqual({
      success: true,
      configuration: expect.objectContaining({
        chatbot_id: expect.any(String),
        image_enabled: false,
        language: 'english',
        topKSettings: { main: 5 },
        flowApiKeys: { main: 'sk-…1234' },
      }),
    });
    expect(JSON.stringify(config)).not.toContain('abcdefghijklmnop');

    // curl http://localhost:3000/api/conversation-health  (public, like every health endpoint)
    const health = JSON.parse(
      (await run('curl', ['-s', `${base}/api/conversation-health`])).stdout,
    );
    expect(health).toEqual({
      status: 'healthy',
      database: 'connected',
      active_streams: expect.any(Number),
      timestamp: expect.any(String),
    });
  });

  it('without a key, the message and config endpoints answer 401', async () => {
    const res = await fetch(`${t.url}/api/conversation-config/test`);
    expect(res.status).toBe(401);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM streaming_sessions`);
    const missing = await t.http
      .post('/api/process-message')
      .send({ chatbot_id: 'test' })
      .expect(400);
    expect(JSON.stringify(missing.body)).toContain('message_text');
    await t.http
      .post('/api/process-message')
      .send({ chatbot_id: 'nope', message_text: 'hi' })
      .expect(404);
    const flow = await t.http
      .post('/api/process-message')
      .send({ chatbot_id: 'test', message_text: 'hi', configuration: { flow: 'ghost' } })
      .expect(422);
    expect(flow.body.message).toContain('configuration.flow');
    const after = await t.db.query(`SELECT count(*)::int AS n FROM streaming_sessions`);
    expect(after[0].n).toBe(before[0].n);
  });
});

describe('resume (acceptance 2)', () => {
  it('Last-Event-ID: 50 gets 51..N exactly once; polling from 50 returns the same; the stored answer is the tokens joined', async () => {
    answerWords = 120;
    tokensPerSecond = 150;
    try {
      await createChatbot(t.http, 'resume');
      const started = await sendMessage(t.http, 'resume', 'Tell me a long story');
      const url = `${t.url}${started.streaming_url}`;

      // A client that reads up to event 50 and goes away mid-answer.
      const first = await readSse(url, { key: t.user.key, until: (m) => m.id === 50 });
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toContain('no-transform');
      expect(first.headers.get('content-type')).toContain('text/event-stream');
      expect(first.messages.map((m) => m.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const stillActive = await poll(t.http, started.streaming_session_id, 50);
      expect(stillActive.session_status).toBe('active'); // leaving did not stop it

      // It comes back with Last-Event-ID: 50.
      const resumed = await readSse(url, { key: t.user.key, lastEventId: 50 });
      expect(resumed.endedByServer).toBe(true);
      const events = resumed.messages.map((m) => JSON.parse(m.data) as PolledEvent);
      expect(resumed.messages.map((m) => m.id)).toEqual(events.map((e) => e.id));
      expectConsecutive(events, 51);
      expect(events[events.length - 1].event).toBe('done');
      const n = events[events.length - 1].id;
      expect(n).toBeGreaterThan(120);

      // Polling with the same cursor: the same sequence.
      const polled: PolledEvent[] = [];
      let cursor = 50;
      for (;;) {
        const body = await poll(t.http, started.streaming_session_id, cursor);
        polled.push(...body.events);
        cursor = body.last_event_id;
        if (!body.has_more) break;
      }
      expect(polled).toEqual(events);

      // The stored answer is the streamed tokens joined.
      const all = (await poll(t.http, started.streaming_session_id, 0)).events;
      const joined = tokensOf(all);
      expect(joined).toBe(answerFor('main'));
      const [stream] = await t.db.query(
        `SELECT answer, last_sequence, processing_status FROM streaming_sessions WHERE id = $1`,
        [started.streaming_session_id],
      );
      expect(stream).toEqual({ answer: joined, last_sequence: n, processing_status: 'completed' });
      const session = await t.http
        .get(`/api/conversation-sessions/${started.session_id}`)
        .expect(200);
      expect(session.body.messages.map((m: { role: string }) => m.role)).toEqual([
        'user',
        'assistant',
      ]);
      expect(session.body.messages[1].content).toBe(joined);
      expect(session.body.active_stream).toBeNull();

      // Metrics of the answer.
      const [metric] = await t.db.query(
        `SELECT execution, routed_by, outcome, tokens, time_to_first_token_ms, tokens_per_second
           FROM conversation_processing_metrics WHERE streaming_session_id = $1`,
        [started.streaming_session_id],
      );
      expect(metric).toMatchObject({
        execution: 'single',
        routed_by: 'default',
        outcome: 'completed',
        tokens: 121,
      });
      expect(metric.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
      expect(metric.tokens_per_second).toBeGreaterThan(0);
    } finally {
      answerWords = 12;
      tokensPerSecond = undefined;
    }
  });

  it('an SSE reader of a finished stream gets every event once and the connection ends', async () => {
    const started = await sendMessage(t.http, 'resume', 'short one');
    await pollToEnd(t.http, started.streaming_session_id);
    const res = await readSse(`${t.url}${started.streaming_url}?last_event_id=0`, {
      key: t.user.key,
    });
    expect(res.endedByServer).toBe(true);
    expectConsecutive(
      res.messages.map((m) => ({ id: m.id! })),
      1,
    );
    expect(res.messages[res.messages.length - 1].event).toBe('done');
  });

  it('sends heartbeats on an idle connection', async () => {
    tokensPerSecond = 4;
    answerWords = 6;
    try {
      await createChatbot(t.http, 'hb');
      const started = await sendMessage(t.http, 'hb', 'slowly please');
      const res = await readSse(`${t.url}${started.streaming_url}`, { key: t.user.key });
      expect(res.comments.filter((c) => c.startsWith('heartbeat')).length).toBeGreaterThanOrEqual(
        1,
      );
      expect(res.messages[res.messages.length - 1].event).toBe('done');
    } finally {
      tokensPerSecond = undefined;
      answerWords = 12;
    }
  });
});

describe('a provider failure mid-stream (acceptance 3)', () => {
  it('a stream cut by the server ends with an error event and a failed session', async () => {
    await createChatbot(t.http, 'cut');
    answerWords = 40;
    const rule = fake.inject({
      fault: { type: 'cut-stream', afterTokens: 5, mode: 'reset' },
      times: 1,
    });
    try {
      const started = await sendMessage(t.http, 'cut', 'this will break');
      const { events, status } = await pollToEnd(t.http, started.streaming_session_id, 15_000);
      expect(rule.hits).toBe(1);
      expect(status).toBe('failed');
      const last = events[events.length - 1];
      expect(last.event).toBe('error');
      expect(last.data).toMatchObject({ message: expect.any(String), partial: true });
      expect(events.filter((e) => e.event === 'token').length).toBe(5);
      const [log] = await t.db.query(
        `SELECT category, message, context FROM conversation_error_logs WHERE streaming_session_id = $1`,
        [started.streaming_session_id],
      );
      expect(log.category).toBe('CONVERSATION_PROCESSING_ERROR');
      expect(log.context).toMatchObject({ tokensDelivered: 5, flows: ['main'] });
      const [metric] = await t.db.query(
        `SELECT outcome FROM conversation_processing_metrics WHERE streaming_session_id = $1`,
        [started.streaming_session_id],
      );
      expect(metric.outcome).toBe('failed');
    } finally {
      rule.remove();
      answerWords = 12;
    }
  });

  it('a stream that goes silent ends with an error event within the gateway timeout', async () => {
    const rule = fake.inject({
      fault: { type: 'cut-stream', afterTokens: 3, mode: 'stall' },
      times: 1,
    });
    try {
      const started = await sendMessage(t.http, 'cut', 'this will stall');
      const res = await readSse(`${t.url}${started.streaming_url}`, { key: t.user.key });
      expect(res.endedByServer).toBe(true);
      const last = JSON.parse(res.messages[res.messages.length - 1].data) as PolledEvent;
      expect(last.event).toBe('error');
      expect((await poll(t.http, started.streaming_session_id)).session_status).toBe('failed');
    } finally {
      rule.remove();
    }
  });

  it('network errors before the first token are retried', async () => {
    const rule = fake.inject({ fault: { type: 'connection-reset' }, times: 2 });
    try {
      const started = await sendMessage(t.http, 'cut', 'retry me');
      const { status, events } = await pollToEnd(t.http, started.streaming_session_id);
      expect(rule.hits).toBe(2);
      expect(status).toBe('completed');
      expect(tokensOf(events)).toBe(answerFor('main'));
    } finally {
      rule.remove();
    }
  });
});

describe('flow routing and execution', () => {
  it('rules pick flows by keyword; parallel flows merge in order; a sequential flow reads them', async () => {
    await createChatbot(t.http, 'router', [
      { flow_key: 'main' },
      { flow_key: 'billing', keywords: ['invoice'] },
      { flow_key: 'shipping', keywords: ['delivery', 'parcel'] },
      { flow_key: 'summary', always_run: true, execution: 'sequential' },
    ]);
    const started = await sendMessage(
      t.http,
      'router',
      'My invoice and my parcel delivery are wrong',
    );
    expect(started.flow_type).toBe('billing');
    const { events, status } = await pollToEnd(t.http, started.streaming_session_id);
    expect(status).toBe('completed');
    const selected = events.filter((e) => e.event === 'flow' && e.data.status === 'selected');
    expect(selected.map((e) => e.data.flow)).toEqual(['billing', 'shipping', 'summary']);
    expect(selected[0].data.routed_by).toBe('rules');
    const answer = tokensOf(events);
    expect(answer).toBe(
      [answerFor('billing'), answerFor('shipping'), answerFor('summary')].join('\n\n'),
    );
    // The sequential flow was given what the parallel ones wrote.
    const summaryPrompt = chatPrompts.find((p) => p.system.startsWith('Flow summary.'))!;
    expect(summaryPrompt.system).toContain(answerFor('billing'));
    expect(summaryPrompt.system).toContain(answerFor('shipping'));
    const [metric] = await t.db.query(
      `SELECT execution, flows FROM conversation_processing_metrics WHERE streaming_session_id = $1`,
      [started.streaming_session_id],
    );
    expect(metric.execution).toBe('mixed');
    expect(metric.flows.map((f: { flow: string }) => f.flow)).toEqual([
      'billing',
      'shipping',
      'summary',
    ]);
  });

  it('the model decides when the rules do not', async () => {
    await createChatbot(t.http, 'modelroute', [
      { flow_key: 'support', description: 'Help with the product' },
      { flow_key: 'sales', description: 'Prices and offers' },
    ]);
    routingChoice = 'sales';
    const started = await sendMessage(t.http, 'modelroute', 'Could someone call me back?');
    expect(started.flow_type).toBe('auto');
    const { events } = await pollToEnd(t.http, started.streaming_session_id);
    const selected = events.find((e) => e.event === 'flow' && e.data.status === 'selected')!;
    expect(selected.data).toMatchObject({ flow: 'sales', routed_by: 'model' });
    expect(tokensOf(events)).toBe(answerFor('sales'));
    expect(events[events.length - 1].data.flow_type).toBe('sales');
  });

  it('configuration.flow names the flow outright', async () => {
    const started = await sendMessage(t.http, 'modelroute', 'anything', {
      configuration: { flow: 'support' },
    });
    expect(started.flow_type).toBe('support');
    const { events } = await pollToEnd(t.http, started.streaming_session_id);
    expect(tokensOf(events)).toBe(answerFor('support'));
  });
});

describe('retrieval and citations (through FeedMe)', () => {
  it("asks FeedMe's knowledge search with the flow's top-K and cites what it used", async () => {
    const upload = await uploadTranscript(
      t.http,
      await feedmeFixture('chat.txt'),
      'chat.txt',
      'Support call 42',
      true,
    );
    expect(upload.status).toBe(202);
    await t.drainQueues();
    const status = await t.http
      .get(`/api/v1/feedme/conversations/${upload.body.id}/status`)
      .expect(200);
    expect(status.body.processing_status).toBe('completed');

    await createChatbot(t.http, 'kb', [{ flow_key: 'main', top_k: 1 }]);
    const started = await sendMessage(t.http, 'kb', 'How do I reset my password?');
    const { events } = await pollToEnd(t.http, started.streaming_session_id);
    const citations = events.filter((e) => e.event === 'citation');
    expect(citations).toHaveLength(1);
    expect(citations[0].data).toMatchObject({
      question: expect.stringContaining('reset my password'),
      knowledge_base_id: upload.body.id,
      source: 'Support call 42',
      flow: 'main',
      index: 1,
    });
    // The citation comes before the answer's tokens, and the model was given the example.
    expect(events.findIndex((e) => e.event === 'citation')).toBeLessThan(
      events.findIndex((e) => e.event === 'token'),
    );
    const prompt = chatPrompts[chatPrompts.length - 1];
    expect(prompt.system).toContain('Settings > Security');
    const session = await t.http
      .get(`/api/conversation-sessions/${started.session_id}`)
      .expect(200);
    expect(session.body.messages[1].citations).toHaveLength(1);

    // Another user's chatbot finds nothing in this user's knowledge.
    const other = await t.createUser();
    await createChatbot(other.http, 'kb', [{ flow_key: 'main', top_k: 3 }]);
    const theirs = await sendMessage(other.http, 'kb', 'How do I reset my password?');
    const otherEvents = (await pollToEnd(other.http, theirs.streaming_session_id)).events;
    expect(otherEvents.filter((e) => e.event === 'citation')).toEqual([]);
  });

  it('a session keeps its history: the next message is sent with the earlier turns', async () => {
    const first = await sendMessage(t.http, 'kb', 'first question');
    await pollToEnd(t.http, first.streaming_session_id);
    const second = await sendMessage(t.http, 'kb', 'second question', {
      session_id: first.session_id,
    });
    expect(second.session_id).toBe(first.session_id);
    await pollToEnd(t.http, second.streaming_session_id);
    const sent = chatPrompts.find((p) => p.user === 'second question')!;
    expect(sent.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', sent.system],
      ['user', 'first question'],
      ['assistant', answerFor('main')],
      ['user', 'second question'],
    ]);
    const session = await t.http.get(`/api/conversation-sessions/${first.session_id}`).expect(200);
    expect(session.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'first question',
      answerFor('main'),
      'second question',
      answerFor('main'),
    ]);
  });
});

describe('stop, images, ownership', () => {
  it('the stop endpoint ends an answer with done {stopped: true}; what was written is kept', async () => {
    tokensPerSecond = 10;
    answerWords = 200;
    try {
      await createChatbot(t.http, 'stopper');
      const started = await sendMessage(t.http, 'stopper', 'go on and on');
      await readSse(`${t.url}${started.streaming_url}`, {
        key: t.user.key,
        until: (m) => m.event === 'token',
      });
      await t.http.post(`/api/stream-events/${started.streaming_session_id}/stop`).expect(202);
      const { events, status } = await pollToEnd(t.http, started.streaming_session_id);
      expect(status).toBe('stopped');
      expect(events[events.length - 1]).toMatchObject({ event: 'done', data: { stopped: true } });
      const [row] = await t.db.query(`SELECT answer FROM streaming_sessions WHERE id = $1`, [
        started.streaming_session_id,
      ]);
      expect(row.answer).toBe(tokensOf(events));
      expect(tokensOf(events).length).toBeLessThan(answerFor('main').length);
    } finally {
      tokensPerSecond = undefined;
      answerWords = 12;
    }
  });

  it('upload-image: checked by size and bytes, answered by the vision flow', async () => {
    await createChatbot(
      t.http,
      'eyes',
      [{ flow_key: 'main' }, { flow_key: 'vision', vision: true }],
      { image_enabled: true },
    );
    const res = await t.http
      .post('/api/upload-image')
      .send({
        chatbot_id: 'eyes',
        image_data: { name: 'image.png', data: TINY_PNG_BASE64, mime: 'image/png' },
        message_text: 'What is this?',
        configuration: {},
      })
      .expect(200);
    expect(res.body).toMatchObject({
      success: true,
      flow_type: 'vision',
      image: { mime: 'image/png', size_bytes: Buffer.from(TINY_PNG_BASE64, 'base64').length },
    });
    const { events } = await pollToEnd(t.http, res.body.streaming_session_id);
    expect(tokensOf(events)).toBe(answerFor('vision'));
    expect(chatPrompts[chatPrompts.length - 1].user).toContain('image.png (image/png');

    const notImage = await t.http
      .post('/api/upload-image')
      .send({
        chatbot_id: 'eyes',
        image_data: {
          name: 'x.png',
          data: Buffer.from('just text, not an image').toString('base64'),
          mime: 'image/png',
        },
        message_text: 'What is this?',
      })
      .expect(415);
    expect(notImage.body.message).toContain('not a PNG, JPEG, GIF or WebP');
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 1);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await t.http
      .post('/api/upload-image')
      .send({
        chatbot_id: 'eyes',
        image_data: { name: 'big.png', data: big.toString('base64'), mime: 'image/png' },
        message_text: 'big',
      })
      .expect(413);
    const noImages = await t.http
      .post('/api/upload-image')
      .send({
        chatbot_id: 'test',
        image_data: { name: 'i.png', data: TINY_PNG_BASE64, mime: 'image/png' },
        message_text: 'x',
      })
      .expect(422);
    expect(noImages.body.message).toContain('does not take images');
  });

  it("another user's stream, session and chatbot answer the same 404 as missing ones", async () => {
    const other = await t.createUser();
    const started = await sendMessage(t.http, 'test', 'mine');
    const theirs = await other.http
      .get(`/api/stream-events/${started.streaming_session_id}`)
      .expect(404);
    const missing = await other.http.get(`/api/stream-events/${randomUUID()}`).expect(404);
    expect(theirs.body.message).toBe(missing.body.message);
    const sse = await readSse(`${t.url}${started.streaming_url}`, { key: other.key });
    expect(sse.status).toBe(404);
    await other.http.get('/api/conversation-config/test').expect(404);
    await other.http.post(`/api/stream-events/${started.streaming_session_id}/stop`).expect(404);
    await other.http.get(`/api/conversation-sessions/${started.session_id}`).expect(404);
    await other.http
      .post('/api/process-message')
      .send({ chatbot_id: 'test', message_text: 'x' })
      .expect(404);
    await pollToEnd(t.http, started.streaming_session_id);
  });
});

describe('crash safety and cleanup', () => {
  it('a stream left processing by a dead process ends with an error event when reconciled', async () => {
    const started = await sendMessage(t.http, 'test', 'survive');
    await pollToEnd(t.http, started.streaming_session_id);
    // Simulate a process that died mid-answer: the stream is processing, with some events, no job.
    const [chatbot] = await t.db.query(
      `SELECT chatbot_id, conversation_session_id, owner_id FROM streaming_sessions WHERE id = $1`,
      [started.streaming_session_id],
    );
    const [orphan] = await t.db.query(
      `INSERT INTO streaming_sessions (owner_id, conversation_session_id, chatbot_id, message_text, processing_status, processing_started_at, created_at)
       VALUES ($1, $2, $3, 'lost', 'processing', now() - interval '1 minute', now() - interval '1 minute') RETURNING id`,
      [chatbot.owner_id, chatbot.conversation_session_id, chatbot.chatbot_id],
    );
    await t.db.query(
      `INSERT INTO streaming_events (streaming_session_id, sequence, event, data) VALUES ($1, 1, 'start', '{}'), ($1, 2, 'token', '{"token":"Hel"}')`,
      [orphan.id],
    );
    const enqueued = await t.get(ConversationsUpkeep).reconcile();
    expect(enqueued).toBeGreaterThanOrEqual(1);
    await t.drainQueues();
    const { events, status } = await pollToEnd(t.http, orphan.id);
    expect(status).toBe('failed');
    expect(events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(events[2]).toMatchObject({ event: 'error', data: { code: 'interrupted' } });
  });

  it('the cleanup job removes idle sessions with their streams and events', async () => {
    const started = await sendMessage(t.http, 'test', 'old news');
    await pollToEnd(t.http, started.streaming_session_id);
    await t.db.query(
      `UPDATE conversation_sessions SET last_activity_at = now() - interval '400 days' WHERE id = $1`,
      [started.session_id],
    );
    const report = await t.get(ConversationsUpkeep).cleanup();
    expect(report.sessions).toBeGreaterThanOrEqual(1);
    const left = await t.db.query(
      `SELECT count(*)::int AS n FROM streaming_events WHERE streaming_session_id = $1`,
      [started.streaming_session_id],
    );
    expect(left[0].n).toBe(0);
    await t.http.get(`/api/conversation-sessions/${started.session_id}`).expect(404);
  });
});
