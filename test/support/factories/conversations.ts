import type { KeyedHttp } from '../http.js';

export interface FlowSpec {
  flow_key: string;
  keywords?: string[];
  execution?: 'parallel' | 'sequential';
  always_run?: boolean;
  vision?: boolean;
  top_k?: number;
  model?: string;
  api_key?: string;
  description?: string;
}

/** A chatbot whose flows' prompts name the flow ("Flow <key>."), so a fake server can tell them apart. */
export async function createChatbot(
  http: KeyedHttp,
  slug: string,
  flows: FlowSpec[] = [{ flow_key: 'main' }],
  extra: Record<string, unknown> = {},
) {
  const res = await http
    .post('/api/chatbots')
    .send({
      slug,
      name: `Bot ${slug}`,
      language: 'english',
      flows: flows.map((flow) => ({
        prompt_template: `Flow ${flow.flow_key}. You are {{chatbot_name}}. Answer in {{language}}.\n{{examples}}`,
        ...flow,
      })),
      ...extra,
    })
    .expect(201);
  return res.body as {
    id: string;
    slug: string;
    flows: { flow_key: string; api_key: string | null }[];
  };
}

export interface StartedMessage {
  success: boolean;
  session_id: string;
  streaming_session_id: string;
  flow_type: string;
  streaming_url: string;
}

export async function sendMessage(
  http: KeyedHttp,
  chatbot: string,
  message: string,
  extra: Record<string, unknown> = {},
): Promise<StartedMessage> {
  const res = await http
    .post('/api/process-message')
    .send({ chatbot_id: chatbot, message_text: message, ...extra })
    .expect(200);
  return res.body as StartedMessage;
}

export interface PolledEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
  timestamp: string;
}

export interface PollBody {
  events: PolledEvent[];
  session_status: string;
  last_event_id: number;
  has_more: boolean;
}

export async function poll(http: KeyedHttp, streamId: string, after = 0): Promise<PollBody> {
  const res = await http.get(`/api/stream-events/${streamId}?last_event_id=${after}`).expect(200);
  return res.body as PollBody;
}

/** Polls until the stream has ended (its last event is done or error); every event, in order. */
export async function pollToEnd(http: KeyedHttp, streamId: string, timeoutMs = 20_000) {
  const events: PolledEvent[] = [];
  let cursor = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await poll(http, streamId, cursor);
    events.push(...body.events);
    cursor = body.last_event_id;
    const last = events[events.length - 1];
    if (last && (last.event === 'done' || last.event === 'error') && !body.has_more)
      return { events, status: body.session_status };
    if (Date.now() > deadline)
      throw new Error(
        `stream ${streamId} did not end in ${timeoutMs} ms (status ${body.session_status})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function tokensOf(events: PolledEvent[]): string {
  return events
    .filter((e) => e.event === 'token')
    .map((e) => e.data.token as string)
    .join('');
}

/** A 1x1 PNG. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
