import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { countTokens } from 'gpt-tokenizer';
import { EMBEDDING_DIMENSIONS } from '../../../src/core/llm/embedding-dimensions.js';
import { featureHashEmbedding } from '../../../src/core/llm/offline/feature-hashing.js';
import { countPromptTokens } from '../../../src/core/llm/tokens.js';

/**
 * A real HTTP server that speaks the OpenAI wire format (chat completions, plain, JSON and SSE
 * streaming; embeddings; models) with configurable latency and token speed, scripted answers and
 * injectable faults. Tests and benchmarks point the real SDK at it (OPENAI_BASE_URL = `url`).
 */

export interface FakeChatRequest {
  /** 1-based number of this request at the server. */
  index: number;
  model: string;
  key: string;
  messages: { role: string; content: string }[];
  stream: boolean;
  responseFormat?: { type: string; json_schema?: { name?: string; schema?: unknown } };
  maxTokens?: number;
  body: Record<string, unknown>;
}

export interface FakeReply {
  /** The answer text (for JSON answers: the JSON text, or use `json`). */
  content?: string;
  /** An answer value, sent as its JSON text. */
  json?: unknown;
  /** Default "stop". */
  finishReason?: 'stop' | 'length' | 'content_filter';
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  /** Streaming pace of this answer (overrides the server's). */
  tokensPerSecond?: number;
}

export type FakeResponder = (
  request: FakeChatRequest,
) => FakeReply | undefined | Promise<FakeReply | undefined>;

export type FakeFault =
  /** 429 rate_limit_exceeded with retry-after(-ms) and any extra headers. */
  | {
      type: 'rate-limit';
      retryAfterSeconds?: number;
      retryAfterMs?: number;
      headers?: Record<string, string>;
    }
  /** 429 insufficient_quota. */
  | { type: 'insufficient-quota' }
  | { type: 'server-error'; status?: 500 | 502 | 503 | 504 }
  /** Accepts the request and never answers (until the client gives up or the server stops). */
  | { type: 'hang' }
  /** Resets the TCP connection without an answer. */
  | { type: 'connection-reset' }
  /**
   * A stream that stops after `afterTokens` tokens: `reset` cuts the connection, `end` closes the
   * response cleanly but without a finish reason or [DONE], `stall` goes silent with the
   * connection open. Applies to streaming requests only.
   */
  | { type: 'cut-stream'; afterTokens?: number; mode?: 'reset' | 'end' | 'stall' }
  /** 404 model_not_found (use with match.model). */
  | { type: 'missing-model' }
  /** 401 invalid_api_key (use with match.key). */
  | { type: 'unauthorized' }
  | { type: 'bad-request'; message?: string }
  /** A normal answer with these extra response headers (e.g. x-ratelimit-*). */
  | { type: 'headers'; headers: Record<string, string> }
  /** A normal answer with this reply. */
  | { type: 'reply'; reply: FakeReply };

export interface FaultRule {
  fault: FakeFault;
  match?: { model?: string; key?: string; path?: 'chat' | 'embeddings'; stream?: boolean };
  /** Let this many matching requests through first. */
  after?: number;
  /** Apply to this many matching requests, then stop (default: every one). */
  times?: number;
  /** Apply to each matching request with this probability. */
  probability?: number;
}

export interface InjectedFault {
  /** How many requests this rule answered. */
  readonly hits: number;
  remove(): void;
}

export interface FakeRequestRecord {
  index: number;
  path: string;
  key: string;
  model: string;
  stream: boolean;
  /** Epoch ms when the request arrived, when the answer ended, when the client went away. */
  at: number;
  endedAt?: number;
  closedAt?: number;
  status?: number;
  fault?: FakeFault['type'];
}

export interface FakeCounts {
  total: number;
  byKey: Record<string, number>;
  byModel: Record<string, number>;
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
}

export interface FakeOpenAIOptions {
  port?: number;
  host?: string;
  /** Wait before the first byte of every answer. */
  latencyMs?: number;
  /** Streaming pace (0: no pause between tokens). */
  tokensPerSecond?: number;
  /** Models that exist (others answer 404 model_not_found). */
  models?: string[];
  /** Accepted keys (others answer 401); unset: any key. */
  keys?: string[];
  /** Enforced per key over a sliding minute, with x-ratelimit-* headers on every answer. */
  rateLimit?: { rpm?: number };
  respond?: FakeResponder;
}

export interface FakeOpenAI {
  /** Base URL for the SDK, ending in /v1. */
  url: string;
  port: number;
  counts: FakeCounts;
  /** Every request, in arrival order. */
  requests: FakeRequestRecord[];
  inject(rule: FaultRule): InjectedFault;
  /** Clears faults, counts and the request log (keeps options). */
  reset(): void;
  /** Replaces the scripted answers. */
  setResponder(respond: FakeResponder | undefined): void;
  stop(): Promise<void>;
}

export const DEFAULT_FAKE_MODELS = [
  'gpt-4o-mini',
  'gpt-4.1-nano',
  'gpt-4o',
  'text-embedding-3-small',
  'text-embedding-3-large',
];

interface ActiveRule extends FaultRule {
  seen: number;
  hits: number;
  removed: boolean;
}

function emptyCounts(): FakeCounts {
  return { total: 0, byKey: {}, byModel: {}, byPath: {}, byStatus: {} };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A value that fits a JSON Schema: the first option of every choice, one item per array. */
export function sampleFromSchema(schema: unknown, depth = 0): unknown {
  const node = (schema ?? {}) as Record<string, unknown>;
  if (depth > 8) return null;
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum)) return node.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(node[key])) {
      const options = node[key] as Record<string, unknown>[];
      return sampleFromSchema(options.find((o) => o.type !== 'null') ?? options[0], depth + 1);
    }
  }
  const type = Array.isArray(node.type) ? node.type.find((t) => t !== 'null') : node.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(
        (node.properties as Record<string, unknown>) ?? {},
      )) {
        out[name] = sampleFromSchema(sub, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = typeof node.minItems === 'number' ? node.minItems : 1;
      return Array.from({ length: Math.max(1, min) }, () =>
        sampleFromSchema(node.items, depth + 1),
      );
    }
    case 'string':
      return typeof node.minLength === 'number'
        ? 'x'.repeat(Math.max(6, node.minLength))
        : 'sample';
    case 'integer':
      return typeof node.minimum === 'number' ? Math.ceil(node.minimum) : 1;
    case 'number': {
      const min = typeof node.minimum === 'number' ? node.minimum : 0;
      const max = typeof node.maximum === 'number' ? node.maximum : min + 2;
      return min + (max - min) / 2;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return null;
  }
}

function parseBody(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function errorBody(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

function tokensOf(text: string): string[] {
  return text.match(/^\s+|\S+\s*/g) ?? [];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const models = options.models ?? DEFAULT_FAKE_MODELS;
  let respond = options.respond;
  let rules: ActiveRule[] = [];
  let counts = emptyCounts();
  let requests: FakeRequestRecord[] = [];
  const windows = new Map<string, number[]>();
  const sockets = new Set<Socket>();
  const created = Math.floor(Date.now() / 1000);

  const pickFault = (record: FakeRequestRecord): FakeFault | undefined => {
    for (const rule of rules) {
      if (rule.removed) continue;
      const m = rule.match ?? {};
      if (m.model !== undefined && m.model !== record.model) continue;
      if (m.key !== undefined && m.key !== record.key) continue;
      if (m.path !== undefined && m.path !== record.path) continue;
      if (m.stream !== undefined && m.stream !== record.stream) continue;
      if (rule.fault.type === 'cut-stream' && !record.stream) continue;
      rule.seen++;
      if (rule.seen <= (rule.after ?? 0)) continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      rule.hits++;
      return rule.fault;
    }
    return undefined;
  };

  /** Sliding-minute request limit per key; returns headers, and a wait when over the limit. */
  const rateLimit = (key: string): { headers: Record<string, string>; waitMs?: number } => {
    const rpm = options.rateLimit?.rpm;
    if (!rpm) return { headers: {} };
    const now = Date.now();
    const window = (windows.get(key) ?? []).filter((t) => t > now - 60_000);
    windows.set(key, window);
    const over = window.length >= rpm;
    if (!over) window.push(now);
    const resetMs = window.length > 0 ? window[0] + 60_000 - now : 0;
    const headers = {
      'x-ratelimit-limit-requests': String(rpm),
      'x-ratelimit-remaining-requests': String(Math.max(0, rpm - window.length)),
      'x-ratelimit-reset-requests': `${Math.max(0, resetMs)}ms`,
    };
    return over ? { headers, waitMs: Math.max(1, resetMs) } : { headers };
  };

  const sendJson = (
    res: ServerResponse,
    record: FakeRequestRecord,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    record.status = status;
    bump(counts.byStatus, String(status));
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': `req_fake_${record.index}`,
      ...headers,
    });
    res.end(text, () => (record.endedAt = Date.now()));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/v1/, '');
    if (path === '/_fake/stats' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ counts, arrivals: requests.map((r) => r.at) }));
      return;
    }
    if (path === '/_fake/reset' && req.method === 'POST') {
      counts = emptyCounts();
      requests = [];
      res.writeHead(204).end();
      return;
    }
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const body = parseBody(raw);
    const key = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const kind =
      path === '/chat/completions' ? 'chat' : path === '/embeddings' ? 'embeddings' : path;
    const record: FakeRequestRecord = {
      index: counts.total + 1,
      path: kind,
      key,
      model: typeof body.model === 'string' ? body.model : '',
      stream: body.stream === true,
      at: Date.now(),
    };
    counts.total++;
    requests.push(record);
    bump(counts.byKey, key);
    bump(counts.byPath, kind);
    if (record.model) bump(counts.byModel, record.model);
    const gone = new AbortController();
    res.on('close', () => {
      record.closedAt ??= Date.now();
      gone.abort();
    });

    if (path === '/models' && req.method === 'GET') {
      sendJson(res, record, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created, owned_by: 'fake-openai' })),
      });
      return;
    }
    if (kind !== 'chat' && kind !== 'embeddings') {
      sendJson(
        res,
        record,
        404,
        errorBody(`Unknown path ${url.pathname}`, 'invalid_request_error', null),
      );
      return;
    }
    if (options.keys && !options.keys.includes(key)) {
      sendJson(
        res,
        record,
        401,
        errorBody(
          `Incorrect API key provided: ${key.slice(0, 3)}...${key.slice(-4)}.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
      return;
    }
    const fault = pickFault(record);
    record.fault = fault?.type;
    if (fault?.type === 'hang') return; // the response stays open; closedAt tells when the client gave up
    if (fault?.type === 'connection-reset') {
      record.status = 0;
      req.socket.resetAndDestroy();
      return;
    }
    await sleep(options.latencyMs ?? 0, gone.signal);
    if (gone.signal.aborted) return;
    const limit = rateLimit(key);
    switch (fault?.type) {
      case 'rate-limit': {
        const headers: Record<string, string> = { ...limit.headers, ...(fault.headers ?? {}) };
        if (fault.retryAfterMs !== undefined)
          headers['retry-after-ms'] = String(fault.retryAfterMs);
        if (fault.retryAfterSeconds !== undefined)
          headers['retry-after'] = String(fault.retryAfterSeconds);
        sendJson(
          res,
          record,
          429,
          errorBody(
            `Rate limit reached for ${record.model} on requests per min (RPM). Please try again later.`,
            'requests',
            'rate_limit_exceeded',
          ),
          headers,
        );
        return;
      }
      case 'insufficient-quota':
        sendJson(
          res,
          record,
          429,
          errorBody(
            'You exceeded your current quota, please check your plan and billing details.',
            'insufficient_quota',
            'insufficient_quota',
          ),
        );
        return;
      case 'server-error': {
        const status = fault.status ?? 500;
        sendJson(
          res,
          record,
          status,
          errorBody(
            status === 503
              ? 'The engine is currently overloaded, please try again later.'
              : 'The server had an error while processing your request. Sorry about that!',
            'server_error',
            null,
          ),
        );
        return;
      }
      case 'missing-model':
        sendJson(
          res,
          record,
          404,
          errorBody(
            `The model \`${record.model}\` does not exist or you do not have access to it.`,
            'invalid_request_error',
            'model_not_found',
          ),
        );
        return;
      case 'unauthorized':
        sendJson(
          res,
          record,
          401,
          errorBody(
            `Incorrect API key provided: ${key.slice(0, 3)}...${key.slice(-4)}.`,
            'invalid_request_error',
            'invalid_api_key',
          ),
        );
        return;
      case 'bad-request':
        sendJson(
          res,
          record,
          400,
          errorBody(
            fault.message ?? "Invalid value for 'messages'.",
            'invalid_request_error',
            null,
          ),
        );
        return;
      default:
        break;
    }
    if (limit.waitMs !== undefined) {
      sendJson(
        res,
        record,
        429,
        errorBody(
          `Rate limit reached for ${record.model} on requests per min (RPM): Limit ${options.rateLimit?.rpm}.`,
          'requests',
          'rate_limit_exceeded',
        ),
        { ...limit.headers, 'retry-after-ms': String(limit.waitMs) },
      );
      return;
    }
    if (record.model && !models.includes(record.model)) {
      sendJson(
        res,
        record,
        404,
        errorBody(
          `The model \`${record.model}\` does not exist or you do not have access to it.`,
          'invalid_request_error',
          'model_not_found',
        ),
      );
      return;
    }
    const extraHeaders = { ...limit.headers, ...(fault?.type === 'headers' ? fault.headers : {}) };
    if (kind === 'embeddings') {
      answerEmbeddings(res, record, body, extraHeaders);
      return;
    }
    await answerChat(req, res, record, body, fault, extraHeaders, gone.signal);
  };

  const answerEmbeddings = (
    res: ServerResponse,
    record: FakeRequestRecord,
    body: Record<string, unknown>,
    headers: Record<string, string>,
  ) => {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    if (inputs.length === 0 || inputs.some((text) => typeof text !== 'string' || text === '')) {
      sendJson(
        res,
        record,
        400,
        errorBody(
          "'$.input' is invalid: expected non-empty strings.",
          'invalid_request_error',
          null,
        ),
      );
      return;
    }
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : EMBEDDING_DIMENSIONS;
    const base64 = body.encoding_format === 'base64';
    let promptTokens = 0;
    const data = (inputs as string[]).map((text, index) => {
      promptTokens += countTokens(text);
      const vector = featureHashEmbedding(text, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: base64
          ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
          : vector,
      };
    });
    sendJson(
      res,
      record,
      200,
      {
        object: 'list',
        data,
        model: record.model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      headers,
    );
  };

  const answerChat = async (
    _req: IncomingMessage,
    res: ServerResponse,
    record: FakeRequestRecord,
    body: Record<string, unknown>,
    fault: FakeFault | undefined,
    headers: Record<string, string>,
    gone: AbortSignal,
  ) => {
    const messages = (Array.isArray(body.messages) ? body.messages : []) as {
      role: string;
      content: string;
    }[];
    const chatRequest: FakeChatRequest = {
      index: record.index,
      model: record.model,
      key: record.key,
      messages,
      stream: record.stream,
      responseFormat: body.response_format as FakeChatRequest['responseFormat'],
      maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
      body,
    };
    const scripted = fault?.type === 'reply' ? fault.reply : await respond?.(chatRequest);
    const content =
      scripted?.content ??
      (scripted && 'json' in scripted ? JSON.stringify(scripted.json) : undefined) ??
      defaultContent(chatRequest);
    const promptTokens = scripted?.usage?.prompt_tokens ?? countPromptTokens(messages as never);
    const completionTokens = scripted?.usage?.completion_tokens ?? countTokens(content);
    const finishReason = scripted?.finishReason ?? 'stop';
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const id = `chatcmpl-fake-${record.index}`;
    if (!record.stream) {
      sendJson(
        res,
        record,
        200,
        {
          id,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: record.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content, refusal: null },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          usage,
          system_fingerprint: 'fp_fake',
        },
        headers,
      );
      return;
    }
    record.status = 200;
    bump(counts.byStatus, '200');
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': `req_fake_${record.index}`,
      ...headers,
    });
    const chunk = (
      delta: Record<string, unknown>,
      finish: string | null,
      extra: Record<string, unknown> = {},
    ) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: record.model, system_fingerprint: 'fp_fake', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    const tokensPerSecond = scripted?.tokensPerSecond ?? options.tokensPerSecond;
    const pause = tokensPerSecond ? 1000 / tokensPerSecond : 0;
    const cut = fault?.type === 'cut-stream' ? fault : undefined;
    const tokens = tokensOf(content);
    for (const [i, token] of tokens.entries()) {
      if (gone.aborted) return;
      if (cut && i >= (cut.afterTokens ?? 3)) {
        await cutStream(res, record, cut.mode);
        return;
      }
      if (pause > 0 && i > 0) await sleep(pause, gone);
      res.write(chunk({ content: token }, null));
    }
    if (cut && (cut.afterTokens ?? 3) >= tokens.length) {
      await cutStream(res, record, cut.mode);
      return;
    }
    res.write(chunk({}, finishReason));
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: record.model, choices: [], usage })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n', () => (record.endedAt = Date.now()));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            errorBody(`fake server error: ${(error as Error).message}`, 'server_error', null),
          ),
        );
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${port}/v1`,
    port,
    get counts() {
      return counts;
    },
    get requests() {
      return requests;
    },
    inject(rule) {
      const active: ActiveRule = { ...rule, seen: 0, hits: 0, removed: false };
      rules.push(active);
      return {
        get hits() {
          return active.hits;
        },
        remove() {
          active.removed = true;
        },
      };
    },
    reset() {
      rules = [];
      counts = emptyCounts();
      requests = [];
      windows.clear();
    },
    setResponder(next) {
      respond = next;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Ends a stream early: `end` closes the response cleanly (no finish reason, no [DONE]); `reset`
 * drops the connection mid-body, after the tokens already sent have reached the client (an
 * immediate RST would make the client discard them).
 */
async function cutStream(
  res: ServerResponse,
  record: FakeRequestRecord,
  mode: 'reset' | 'end' | 'stall' | undefined,
): Promise<void> {
  if (mode === 'stall') return;
  if (mode === 'end') {
    res.end(() => (record.endedAt = Date.now()));
    return;
  }
  await new Promise<void>((resolve) => res.write('', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 50));
  record.endedAt = Date.now();
  res.socket?.destroy();
}

function defaultContent(request: FakeChatRequest): string {
  const format = request.responseFormat;
  if (format?.type === 'json_schema')
    return JSON.stringify(sampleFromSchema(format.json_schema?.schema));
  if (format?.type === 'json_object') return JSON.stringify({ answer: 'fake' });
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const echo = lastUser.split(/\s+/).filter(Boolean).slice(0, 12).join(' ');
  return `Fake answer ${request.index} from ${request.model}: you asked "${echo}". This reply is deterministic and exists for tests.`;
}
