import type request from 'supertest';
import { createChatbot, sendMessage } from './factories/conversations.js';
import type { TestApp, TestUser } from './test-app.js';

/**
 * Ownership fixtures: for every API path prefix with routes that take an id, a factory that creates
 * a resource owned by `owner` and returns the path parameters naming it. The ownership walker
 * (test/e2e/ownership.e2e-spec.ts) calls every such route in /docs-json with a second user's key
 * and expects the same 404 as for an id that does not exist; a route with a path parameter and no
 * fixture fails the walk, naming the route. A new module adds its prefix here.
 *
 * ```ts
 * '/api/articles': async ({ owner }) => {
 *   const res = await owner.http.post('/api/analyze').field('articleName', 'Bolt')...expect(201);
 *   return { params: { id: res.body.id } };
 * },
 * ```
 */
export interface FixtureContext {
  t: TestApp;
  /** User A: owns the resource. Not an admin. */
  owner: TestUser;
}

export type BodyBuilder = (req: request.Test) => request.Test;

export interface FixtureResult {
  /** Path parameter values, by the name the route uses (`{id}` -> `id`). */
  params: Record<string, string>;
  /** Values that name nothing, for parameters that are not uuids (a random uuid otherwise). */
  missing?: Record<string, string>;
  /**
   * Request bodies by `METHOD /path/{param}`, when the OpenAPI example is not a valid body (e.g.
   * multipart uploads: a function that attaches the file).
   */
  bodies?: Record<string, unknown | BodyBuilder>;
}

export type OwnershipFixture = (ctx: FixtureContext) => Promise<FixtureResult>;

export const ownershipFixtures: Record<string, OwnershipFixture> = {
  // Admin routes: a user is "owned" by themselves; other non-admins get 404 (DESIGN.md 6).
  '/api/users': async ({ owner }) => ({ params: { id: owner.user.id } }),

  '/api/uploads': async ({ t, owner }) => {
    const res = await owner.http
      .post('/api/upload-from-frontend')
      .attach(
        'file',
        Buffer.from('Company,Website\r\nAcme,https://acme.example.com/\r\n'),
        'companies.csv',
      )
      .expect(202);
    await t.drainQueues(30_000);
    return { params: { id: (res.body as { id: string }).id } };
  },

  '/api/v1/feedme/conversations': async ({ t, owner }) => ({
    params: {
      id: await feedmeConversation(t, owner, 'How do I reset my password for the dashboard?'),
    },
  }),

  '/api/v1/feedme/examples': async ({ t, owner }) => {
    // A question of its own: the same one again would be merged into the first fixture's example.
    const id = await feedmeConversation(
      t,
      owner,
      'Where can I download the invoices of last year?',
    );
    const res = await owner.http.get(`/api/v1/feedme/conversations/${id}/examples`).expect(200);
    const examples = res.body as { id: string }[];
    if (examples.length === 0) throw new Error('the FeedMe fixture transcript gave no examples');
    return { params: { id: examples[0].id } };
  },

  '/api/keys': async ({ owner }) => {
    const res = await owner.http.post('/api/keys').send({ name: 'ownership walker' }).expect(201);
    return { params: { id: (res.body as { id: string }).id } };
  },

  // Conversations (seed 004): a chatbot, a message answered in it, and its streaming session.
  '/api/chatbots': async ({ owner }) => {
    const bot = await createChatbot(owner.http, 'walk-bot');
    return { params: { id: bot.id }, missing: { id: 'no-such-bot' } };
  },
  '/api/conversation-config': async ({ owner }) => {
    await createChatbot(owner.http, 'walk-config');
    return { params: { chatbotId: 'walk-config' }, missing: { chatbotId: 'no-such-bot' } };
  },
  '/api/stream-events': async ({ t, owner }) => {
    await createChatbot(owner.http, 'walk-stream');
    const started = await sendMessage(owner.http, 'walk-stream', 'Hello');
    await t.drainQueues(30_000);
    return { params: { streamingSessionId: started.streaming_session_id } };
  },
  '/api/conversation-sessions': async ({ t, owner }) => {
    await createChatbot(owner.http, 'walk-session');
    const started = await sendMessage(owner.http, 'walk-session', 'Hello');
    await t.drainQueues(30_000);
    return { params: { id: started.session_id } };
  },
};

/** A processed FeedMe transcript owned by `owner` (one Q&A pair, offline or fake extraction). */
async function feedmeConversation(t: TestApp, owner: TestUser, question: string): Promise<string> {
  const res = await owner.http
    .post('/api/v1/feedme/conversations/upload')
    .field('title', 'Ownership walker')
    .attach(
      'transcript_file',
      Buffer.from(
        `Customer: ${question}\nAgent: Open Settings, then the page it concerns, and follow the steps shown there; we email a link.\n`,
      ),
      'walker.txt',
    )
    .expect(202);
  await t.drainQueues(30_000);
  return (res.body as { id: string }).id;
}
