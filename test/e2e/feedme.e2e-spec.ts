import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  feedmeFixture,
  qaExtractionResponder,
  uploadTranscript,
  type FeedmeExampleBody,
  type FeedmeSearchHitBody,
  type FeedmeStatusBody,
  type FeedmeUploadBody,
} from '../support/factories/feedme.js';
import { KnowledgeSearch } from '../../src/core/knowledge/knowledge-search.js';
import { KNOWLEDGE_PAIRS, knowledgeTranscript } from '../support/factories/feedme-knowledge.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { startTestApp, type KeyedHttp, type TestApp, type TestUser } from '../support/test-app.js';

// Seed 003 end to end, async mode: the seed's upload and its polling loop, every transcript
// format, and the search over what was extracted. The gateway talks to the fake OpenAI server,
// whose model answers the extraction with the speaker-turn rules and whose embeddings are the
// deterministic feature hashing (issue 8, acceptance 1 and 2).

let t: TestApp;
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 0, respond: qaExtractionResponder });
  t = await startTestApp({ env: llmTestEnv(fake.url) });
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

/**
 * The seed's "Status Polling (Frontend)" loop, as written, with what it leaves implicit filled
 * in: the response body is read as JSON, and the request carries the API key. It records each
 * status seen and each delay slept.
 */
async function pollAsTheSeedDoes(id: string, key: string) {
  const seen: string[] = [];
  const delays: number[] = [];
  let delay = 1000;
  for (;;) {
    const status = (await (
      await fetch(`${t.url}/api/v1/feedme/conversations/${id}/status`, {
        headers: { 'X-API-Key': key },
      })
    ).json()) as FeedmeStatusBody;
    seen.push(status.processing_status);
    if (status.processing_status !== 'processing') return { status, seen, delays };

    delays.push(delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10000); // Max 10 seconds
  }
}

describe('the seed upload and its polling loop (acceptance 1)', () => {
  it('answers 202 with the seed body, and the backoff loop reaches completed', async () => {
    const res = await uploadTranscript(
      t.http,
      await feedmeFixture('chat.txt'),
      'chat.txt',
      'Customer Issue #123',
      true,
    );
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const body = res.body as FeedmeUploadBody;
    expect(body).toMatchObject({
      status: 202,
      processing_status: 'processing',
      message: 'Transcript uploaded successfully. Processing started in background.',
      processing_mode: 'async',
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);

    const { status, seen, delays } = await pollAsTheSeedDoes(body.id, t.user.key);
    expect(status.processing_status).toBe('completed');
    expect(seen[seen.length - 1]).toBe('completed');
    expect(status.examples_extracted).toBe(2);
    delays.forEach((d, i) => expect(d).toBe(Math.min(1000 * 2 ** i, 10000)));

    const examples = (
      await t.http.get(`/api/v1/feedme/conversations/${body.id}/examples`).expect(200)
    ).body as FeedmeExampleBody[];
    expect(examples.map((e) => e.question)).toEqual([
      'How do I reset my password? The login page keeps rejecting it.',
      'Can I export my invoices as PDF files for my accountant?',
    ]);
    expect(examples[0].answer).toContain('Settings > Security');
    expect(examples[0].tags).toContain('account');
    expect(examples[1].tags).toContain('billing');
    expect(examples.every((e) => e.version === 1 && e.source_count === 1)).toBe(true);
  });

  it('reports database, worker, Redis and configuration at the seed health endpoint, without a key', async () => {
    const res = await fetch(`${t.url}/api/v1/feedme/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as Record<string, Record<string, unknown>> & {
      status: string;
    };
    expect(health.status).toBe('healthy');
    expect(health.database).toMatchObject({ status: 'up', vector: true, hnswIndex: true });
    expect(health.worker).toMatchObject({ status: 'up', workers: true });
    expect(health.redis).toMatchObject({ status: 'up' });
    expect(health.configuration).toMatchObject({
      async_processing: true,
      max_file_size_mb: 10,
      llm_mode: 'openai',
    });
  });

  it('finds the extracted example for a reworded question', async () => {
    const res = await t.http
      .post('/api/v1/feedme/search')
      .send({ query: 'I forgot my password, how can I reset it?', top_k: 3, threshold: 0.2 })
      .expect(200);
    const results = (res.body as { results: FeedmeSearchHitBody[] }).results;
    expect(results[0].question).toContain('reset my password');
    expect(results[0].conversation.title).toBe('Customer Issue #123');
    expect(results[0].usage_count).toBe(1);
  });
});

/** Uploads, waits for the queue, and returns the finished conversation with its examples. */
async function processed(http: KeyedHttp, file: Buffer, name: string, title = name) {
  const res = await uploadTranscript(http, file, name, title).expect(202);
  await t.drainQueues();
  const detail = await http
    .get(`/api/v1/feedme/conversations/${(res.body as FeedmeUploadBody).id}`)
    .expect(200);
  return detail.body as FeedmeStatusBody & {
    source_format: string;
    source_tags: string[];
    transcript: string;
    examples: FeedmeExampleBody[];
  };
}

describe('every transcript format (acceptance 2)', () => {
  // A user of their own each: near-duplicates are merged per owner, and these files repeat.
  let formats: TestUser;
  beforeAll(async () => {
    formats = await t.createUser();
  });

  const cases: [string, string, string[]][] = [
    ['chat.txt', 'text', ['How do I reset my password?', 'Can I export my invoices as PDF']],
    ['chat.html', 'html', ['How can I change the delivery address', 'Do you ship to Norway?']],
    ['zendesk.json', 'zendesk', ['I was charged twice', 'How do I change the credit card']],
    [
      'intercom.json',
      'intercom',
      ['invite my colleagues', 'How many members can a team workspace'],
    ],
    ['helpscout.json', 'helpscout', ['I lost my phone and cannot sign in']],
    ['thread.eml', 'eml', ['What is the rate limit of your API']],
    [
      'mailbox.mbox',
      'mbox',
      ['how do I cancel my subscription', 'Will I get a refund for the days'],
    ],
    [
      'chat.csv',
      'csv',
      ['Where can I download the desktop app', 'Does the desktop app work offline?'],
    ],
  ];

  it.each(cases)(
    '%s is read as %s and its Q&A pairs extracted',
    async (name, format, questions) => {
      const c = await processed(formats.http, await feedmeFixture(name), name, `format ${name}`);
      expect(c.processing_status).toBe('completed');
      expect(c.source_format).toBe(format);
      expect(c.examples).toHaveLength(questions.length);
      questions.forEach((q, i) => expect(c.examples[i].question).toContain(q));
      for (const example of c.examples) expect(example.answer.split(' ').length).toBeGreaterThan(8);
    },
  );

  it('keeps internal notes, quoted replies and signatures out of the transcript', async () => {
    const { http } = await t.createUser();
    const zendesk = await processed(
      http,
      await feedmeFixture('zendesk.json'),
      'zendesk.json',
      'notes',
    );
    expect(zendesk.transcript).not.toContain('Internal note');
    expect(zendesk.source_tags).toEqual(['billing', 'vip']);
    expect(zendesk.examples[0].tags).toEqual(expect.arrayContaining(['billing', 'vip']));
    const mbox = await processed(
      http,
      await feedmeFixture('mailbox.mbox'),
      'mailbox.mbox',
      'quotes',
    );
    expect(mbox.transcript.match(/how do I cancel my subscription/g)).toHaveLength(1);
    expect(mbox.transcript).not.toContain('Doe Consulting');
    const eml = await processed(http, await feedmeFixture('thread.eml'), 'thread.eml', 'eml');
    expect(eml.transcript.split('\n')[0]).toMatch(
      /^Customer \(Ivan Petrov\): Hello, What is the rate limit/,
    );
    expect(eml.transcript).toContain('you get a 429 answer');
  });

  it('sanitises HTML before anything reads it: no script, handler or javascript: URL is stored', async () => {
    const { http } = await t.createUser();
    const c = await processed(http, await feedmeFixture('chat.html'), 'chat.html', 'html');
    const stored = [
      c.transcript,
      ...c.examples.flatMap((e) => [e.question, e.answer, e.context]),
    ].join('\n');
    expect(stored).not.toMatch(/script|onerror|onload|javascript:|__feedmeXss|alert/i);
    const rows: { transcript_html: string }[] = await t.db.query(
      `SELECT transcript_html FROM feedme_conversations WHERE id = $1`,
      [c.id],
    );
    expect(rows[0].transcript_html).toContain('<b>Customer:</b>');
    expect(rows[0].transcript_html).not.toMatch(/<script|onerror|onload|javascript:|<iframe|<img/i);
  });

  it('refuses what it cannot read with 422 and keeps nothing', async () => {
    const before = (
      (await t.http.get('/api/v1/feedme/conversations').expect(200)).body as { total: number }
    ).total;
    const monologue = await uploadTranscript(
      t.http,
      Buffer.from('Just some notes without any speakers.\n'),
      'notes.txt',
    ).expect(422);
    expect((monologue.body as { message: string }).message).toMatch(/no speaker turns/);
    const json = await uploadTranscript(t.http, Buffer.from('{"hello": "world"}'), 'x.json').expect(
      422,
    );
    expect((json.body as { message: string }).message).toMatch(/Zendesk.*Intercom.*HelpScout/);
    await uploadTranscript(
      t.http,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'x.png',
    ).expect(415);
    await t.http
      .post('/api/v1/feedme/conversations/upload')
      .attach('transcript_file', Buffer.from('Customer: a?\nAgent: b'), 'x.txt')
      .expect(400);
    const after = (
      (await t.http.get('/api/v1/feedme/conversations').expect(200)).body as { total: number }
    ).total;
    expect(after).toBe(before);
  });
});

describe('near-duplicates', () => {
  it('merges a pair seen again in another transcript into the stored example, with a source count', async () => {
    const { http } = await t.createUser();
    const first = await processed(http, await feedmeFixture('chat.txt'), 'chat.txt', 'first');
    expect(first.examples).toHaveLength(2);
    const again = await processed(http, await feedmeFixture('chat.txt'), 'chat.txt', 'again');
    expect(again.processing_status).toBe('completed');
    expect(again.examples_extracted).toBe(0);
    expect(again.examples_merged).toBe(2);
    const examples = (
      await http.get(`/api/v1/feedme/conversations/${first.id}/examples`).expect(200)
    ).body as FeedmeExampleBody[];
    expect(examples.map((e) => e.source_count)).toEqual([2, 2]);
    // Deleting the second transcript takes its source rows with it.
    await http.delete(`/api/v1/feedme/conversations/${again.id}`).expect(204);
    await http.get(`/api/v1/feedme/conversations/${again.id}`).expect(404);
    const after = (await http.get(`/api/v1/feedme/conversations/${first.id}/examples`).expect(200))
      .body as FeedmeExampleBody[];
    expect(after.map((e) => e.source_count)).toEqual([1, 1]);
  });
});

describe('search over a knowledge base of 55 Q&A pairs (acceptance 3)', () => {
  let kb: TestUser;
  const search = (body: Record<string, unknown>) =>
    kb.http
      .post('/api/v1/feedme/search')
      .send(body)
      .expect(200)
      .then((res) => res.body as { results: FeedmeSearchHitBody[] });

  beforeAll(async () => {
    kb = await t.createUser();
    for (let i = 0; i < KNOWLEDGE_PAIRS.length; i += 11) {
      const part = KNOWLEDGE_PAIRS.slice(i, i + 11);
      await uploadTranscript(
        kb.http,
        Buffer.from(knowledgeTranscript(part)),
        `kb-${i}.txt`,
        `Support log ${i / 11 + 1}`,
      ).expect(202);
    }
    await t.drainQueues(60_000);
  });

  it('stores every pair once, with its embedding', async () => {
    const list = (await kb.http.get('/api/v1/feedme/conversations').expect(200)).body as {
      conversations: FeedmeStatusBody[];
    };
    expect(list.conversations.map((c) => c.processing_status)).toEqual(Array(5).fill('completed'));
    expect(list.conversations.reduce((n, c) => n + c.examples_extracted, 0)).toBe(
      KNOWLEDGE_PAIRS.length,
    );
    const rows: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM feedme_examples WHERE owner_id = $1 AND embedding IS NOT NULL AND NOT low_quality`,
      [kb.user.id],
    );
    expect(rows[0].n).toBe(KNOWLEDGE_PAIRS.length);
  });

  it('returns the right example first for every paraphrased question', async () => {
    const misses: string[] = [];
    for (const pair of KNOWLEDGE_PAIRS) {
      const { results } = await search({ query: pair.paraphrase, top_k: 5, threshold: 0 });
      if (results[0]?.question !== pair.question)
        misses.push(`"${pair.paraphrase}" -> "${results[0]?.question}" (${results[0]?.score})`);
    }
    expect(misses).toEqual([]);
  });

  it('respects the threshold: nothing below it, nothing for an unrelated question', async () => {
    const all = await search({ query: 'How do I reset my password?', top_k: 50, threshold: 0 });
    expect(all.results.length).toBeGreaterThan(5);
    const scores = all.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const cut = 0.3;
    const above = await search({ query: 'How do I reset my password?', top_k: 50, threshold: cut });
    expect(above.results.length).toBeGreaterThan(0);
    expect(above.results.every((r) => r.score >= cut)).toBe(true);
    expect(above.results).toHaveLength(scores.filter((s) => s >= cut).length);
    const unrelated = await search({
      query: 'quantum chromodynamics lattice simulation',
      top_k: 5,
      threshold: 0.3,
    });
    expect(unrelated.results).toEqual([]);
  });

  it('filters by tag and by conversation, and counts usage', async () => {
    const query = { query: 'invoice download', top_k: 10, threshold: 0, tags: ['billing'] };
    const billing = await search(query);
    expect(billing.results.length).toBeGreaterThan(0);
    expect(billing.results.every((r) => r.tags.includes('billing'))).toBe(true);
    const again = await search(query);
    expect(again.results[0].id).toBe(billing.results[0].id);
    expect(again.results[0].usage_count).toBe(billing.results[0].usage_count + 1);
    const one = billing.results[0].conversation.id;
    const scoped = await search({
      query: 'password',
      top_k: 50,
      threshold: 0,
      conversation_ids: [one],
    });
    expect(scoped.results.length).toBeGreaterThan(0);
    expect(scoped.results.every((r) => r.conversation.id === one)).toBe(true);
  });

  it('answers KnowledgeSearch for another module, scoped to the owner', async () => {
    const knowledge = t.get(KnowledgeSearch);
    const hits = await knowledge.search({
      ownerId: kb.user.id,
      text: 'Is there a free trial before I pay?',
      topK: 3,
    });
    expect(hits[0]).toMatchObject({
      question: 'Do you have a free trial?',
      source: expect.stringMatching(/^Support log/),
    });
    expect(hits[0].score).toBeGreaterThan(0);
    expect(
      await knowledge.search({
        ownerId: t.user.user.id,
        text: 'Is there a free trial before I pay?',
        topK: 3,
        minScore: 0.3,
      }),
    ).toEqual([]);
    expect(
      await knowledge.search({
        ownerId: kb.user.id,
        text: 'free trial',
        topK: 3,
        knowledgeBaseIds: ['not-a-uuid'],
      }),
    ).toEqual([]);
  });
});

describe('versions: edit, history, diff, rollback (acceptance 4)', () => {
  let owner: TestUser;
  let example: FeedmeExampleBody;
  const find = async (query: string, threshold = 0.3) =>
    (
      (
        await owner.http
          .post('/api/v1/feedme/search')
          .send({ query, top_k: 3, threshold })
          .expect(200)
      ).body as {
        results: FeedmeSearchHitBody[];
      }
    ).results;

  beforeAll(async () => {
    owner = await t.createUser();
    const c = await processed(owner.http, await feedmeFixture('chat.txt'), 'chat.txt', 'versions');
    example = c.examples[0];
  });

  it('makes each edit a new version, re-embedded, with who and what changed', async () => {
    const edited = (
      await owner.http
        .patch(`/api/v1/feedme/examples/${example.id}`)
        .send({
          question: 'How do I rename my workspace?',
          answer: 'Open Settings > Workspace and type the new workspace name.',
          change_note: 'wrong pair',
          expected_version: 1,
        })
        .expect(200)
    ).body as FeedmeExampleBody;
    expect(edited.version).toBe(2);
    expect(edited.question).toBe('How do I rename my workspace?');
    // Stale editors are told, not silently overwritten.
    await owner.http
      .patch(`/api/v1/feedme/examples/${example.id}`)
      .send({ answer: 'x y z', expected_version: 1 })
      .expect(409);

    const versions = (
      await owner.http.get(`/api/v1/feedme/examples/${example.id}/versions`).expect(200)
    ).body as {
      version: number;
      change_kind: string;
      changed_fields: string[];
      changed_by: string | null;
      change_note: string | null;
    }[];
    expect(versions.map((v) => [v.version, v.change_kind])).toEqual([
      [2, 'edit'],
      [1, 'extracted'],
    ]);
    expect(versions[0]).toMatchObject({
      changed_fields: ['question', 'answer'],
      changed_by: owner.user.id,
      change_note: 'wrong pair',
    });

    const diff = (
      await owner.http.get(`/api/v1/feedme/examples/${example.id}/diff?from=1&to=2`).expect(200)
    ).body as {
      fields: { field: string; changed: boolean; parts: { op: string; text: string }[] }[];
    };
    const question = diff.fields.find((f) => f.field === 'question')!;
    expect(question.changed).toBe(true);
    expect(question.parts).toEqual(
      expect.arrayContaining([
        { op: 'delete', text: expect.stringContaining('reset') },
        { op: 'insert', text: expect.stringContaining('rename') },
      ]),
    );
    expect(diff.fields.find((f) => f.field === 'tags')!.changed).toBe(false);

    // Search finds the edited text, not the old one.
    expect((await find('rename my workspace'))[0]?.id).toBe(example.id);
    expect((await find('reset my password login page')).map((r) => r.id)).not.toContain(example.id);
  });

  it('rolls back to an earlier version as a new version, and search finds the rolled-back text', async () => {
    await owner.http
      .post(`/api/v1/feedme/examples/${example.id}/rollback`)
      .send({ version: 3 })
      .expect(404);
    const back = (
      await owner.http
        .post(`/api/v1/feedme/examples/${example.id}/rollback`)
        .send({ version: 1, change_note: 'undo' })
        .expect(200)
    ).body as FeedmeExampleBody;
    expect(back.version).toBe(3);
    expect(back.question).toBe(example.question);
    expect(back.answer).toBe(example.answer);
    await owner.http
      .post(`/api/v1/feedme/examples/${example.id}/rollback`)
      .send({ version: 3 })
      .expect(409);
    const versions = (
      await owner.http.get(`/api/v1/feedme/examples/${example.id}/versions`).expect(200)
    ).body as {
      version: number;
      change_kind: string;
      rolled_back_to: number | null;
    }[];
    expect(versions[0]).toMatchObject({ version: 3, change_kind: 'rollback', rolled_back_to: 1 });

    expect((await find('I forgot my password, how can I reset it?'))[0]?.id).toBe(example.id);
    expect((await find('rename my workspace')).map((r) => r.id)).not.toContain(example.id);
  });

  it('keeps rejected examples out of search, and approval brings them back', async () => {
    const review = (status: string) =>
      owner.http
        .post(`/api/v1/feedme/examples/${example.id}/review`)
        .send({ review_status: status });
    await review('rejected').expect(200);
    expect((await find('reset my password')).map((r) => r.id)).not.toContain(example.id);
    await review('approved').expect(200);
    expect((await find('reset my password'))[0]?.id).toBe(example.id);
    await review('maybe').expect(400);
  });

  it('keeps a low-quality pair, marked, out of search until it is approved', async () => {
    const hedged = await processed(
      owner.http,
      Buffer.from(
        'Customer: Can I run the reporting module on a Raspberry Pi?\nAgent: I am not sure, maybe.\n',
      ),
      'hedged.txt',
    );
    const [weak] = hedged.examples;
    expect(weak.low_quality).toBe(true);
    expect(weak.quality_score).toBeLessThan(0.7);
    const query = 'reporting module on a Raspberry Pi';
    expect((await find(query)).map((r) => r.id)).not.toContain(weak.id);
    const all = (
      await owner.http
        .post('/api/v1/feedme/search')
        .send({ query, top_k: 3, threshold: 0.3, include_low_quality: true })
        .expect(200)
    ).body as { results: FeedmeSearchHitBody[] };
    expect(all.results[0]?.id).toBe(weak.id);
    await owner.http
      .post(`/api/v1/feedme/examples/${weak.id}/review`)
      .send({ review_status: 'approved' })
      .expect(200);
    expect((await find(query))[0]?.id).toBe(weak.id);
  });
});

describe('a model that refuses', () => {
  it('fails the transcript with the reason, stores no examples, and a reprocess succeeds', async () => {
    const { http } = await t.createUser();
    const rule = fake.inject({
      fault: { type: 'bad-request', message: 'This transcript is not allowed.' },
      match: { path: 'chat' },
    });
    const res = await uploadTranscript(http, await feedmeFixture('chat.txt'), 'chat.txt').expect(
      202,
    );
    const id = (res.body as FeedmeUploadBody).id;
    await t.drainQueues();
    const failed = (await http.get(`/api/v1/feedme/conversations/${id}/status`).expect(200))
      .body as FeedmeStatusBody;
    expect(failed.processing_status).toBe('failed');
    expect(failed.error_message).toMatch(/not allowed/);
    expect(failed.examples_extracted).toBe(0);
    rule.remove();
    await http.post(`/api/v1/feedme/conversations/${id}/reprocess`).expect(202);
    await t.drainQueues();
    const done = (await http.get(`/api/v1/feedme/conversations/${id}/status`).expect(200))
      .body as FeedmeStatusBody;
    expect(done).toMatchObject({
      processing_status: 'completed',
      examples_extracted: 2,
      error_message: null,
    });
  });
});
