/**
 * A small Server-Sent Events client for tests and benchmarks (Node's fetch, no EventSource):
 * parses `id:`, `event:` and `data:` fields, and records comment lines (heartbeats) and headers.
 */
export interface SseMessage {
  id: number | null;
  event: string;
  data: string;
}

export interface SseOptions {
  key?: string;
  cookie?: string;
  lastEventId?: number;
  /** Stop reading (and close) when this returns true for a message. */
  until?: (message: SseMessage) => boolean;
  signal?: AbortSignal;
  /** Called for each message as it arrives. */
  onMessage?: (message: SseMessage) => void;
}

export interface SseResult {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  comments: string[];
  /** True when the server ended the response (not us). */
  endedByServer: boolean;
}

export async function readSse(url: string, options: SseOptions = {}): Promise<SseResult> {
  const controller = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, controller.signal])
    : controller.signal;
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (options.key) headers['X-API-Key'] = options.key;
  if (options.cookie) headers.Cookie = options.cookie;
  if (options.lastEventId !== undefined) headers['Last-Event-ID'] = String(options.lastEventId);
  const res = await fetch(url, { headers, signal });
  const result: SseResult = {
    status: res.status,
    headers: res.headers,
    messages: [],
    comments: [],
    endedByServer: false,
  };
  if (!res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    await res.text().catch(() => undefined);
    return result;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let current: { id: number | null; event: string; data: string[] } = {
    id: null,
    event: 'message',
    data: [],
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        result.endedByServer = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      let stop = false;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (current.data.length > 0) {
            const message = { id: current.id, event: current.event, data: current.data.join('\n') };
            result.messages.push(message);
            options.onMessage?.(message);
            if (options.until?.(message)) stop = true;
          }
          current = { id: null, event: 'message', data: [] };
          if (stop) break;
          continue;
        }
        if (line.startsWith(':')) {
          result.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') current.id = Number(text);
        else if (field === 'event') current.event = text;
        else if (field === 'data') current.data.push(text);
      }
      if (stop) break;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    controller.abort();
    await reader.cancel().catch(() => undefined);
  }
  return result;
}
