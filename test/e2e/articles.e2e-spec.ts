import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueRegistry } from '../../src/core/queue/queue-registry.js';
import { ReconcilerService } from '../../src/core/queue/reconciler.service.js';
import {
  articleOf,
  articleWhenFinished,
  competentModel,
  isCostModelRequest,
  isWeightRequest,
  offeredIds,
  runSeedFrontendFlow,
  submitArticle,
  type ArticleBody,
} from '../support/factories/articles.js';
import { makeDocx, makePdf } from '../support/factories/documents.js';
import {
  startFakeOpenAI,
  type FakeChatRequest,
  type FakeReply,
  type FakeResponder,
} from '../support/fake-openai/fake-openai.js';
import { llmTestEnv } from '../support/llm-test-kit.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import type { FakeOpenAI } from '../support/fake-openai/fake-openai.js';

// Seed 001 end to end (issue 6): the seed's frontend flow against the real server, PDF and DOCX
// specifications, every documented status, failures with their text, and cost models that sum to
// 1 over existing indices whatever the (fake) model answers.

let t: TestApp;
let fake: FakeOpenAI;
let user: TestUser;
/** Per-article scripted answers; everything else gets the competent model's answer. */
const scripts = new Map<string, FakeResponder>();
/** Every request the fake server saw, with the article it was about. */
const seen: { article: string; req: FakeChatRequest }[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI({
    latencyMs: 0,
    respond: async (req) => {
      const article = articleOf(req);
      seen.push({ article, req });
      const script = scripts.get(article);
      return (await script?.(req)) ?? competentModel(req);
    },
  });
  t = await startTestApp({ env: llmTestEnv(fake.url, { LLM_MAX_ATTEMPTS: '1' }) });
  user = await t.createUser();
});

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

const text = (s: string) => Buffer.from(s, 'utf8');
const drain = () => t.drainQueues(30_000);
const requestsFor = (article: string) =>
  seen.filter((s) => s.article === article).map((s) => s.req);

/** A promise the test resolves to let a held answer go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("acceptance 1: the seed's frontend flow, as written", () => {
  it('reaches completed with unit_weight 2.5 for "Weight: 2.5 kg"', async () => {
    const file = new File(['Widget A\nMaterial: steel\nWeight: 2.5 kg\n'], 'spec.txt', {
      type: 'text/plain',
    });
    const result = await runSeedFrontendFlow(t.url, user.key, file, 'Seed flow kg');
    expect(result.outcome).toBe('results');
    if (result.outcome !== 'results') return;
    expect(result.article.processing_status).toBe('completed');
    expect(result.article.unit_weight).toBe(2.5);
    expect(result.article.processing_completed_at).not.toBeNull();
    expect(result.article.cost_models!.reduce((s, p) => s + p.part, 0)).toBeCloseTo(1, 6);
  });

  it('reaches completed with unit_weight 2.5 (within 0.01) for "5.51 lb"', async () => {
    const file = new File(['Widget A, imperial\nWeight: 5.51 lb\n'], 'spec.txt', {
      type: 'text/plain',
    });
    const result = await runSeedFrontendFlow(t.url, user.key, file, 'Seed flow lb');
    expect(result.outcome).toBe('results');
    if (result.outcome !== 'results') return;
    expect(Math.abs(result.article.unit_weight! - 2.5)).toBeLessThan(0.01);
  });

  it('reads a weight the model writes with its unit ("5.51 lb" as a string)', async () => {
    scripts.set('Unit string', (req) =>
      isWeightRequest(req) ? { json: { unit_weight_grams: '5.51 lb' } } : undefined,
    );
    const created = await submitArticle(user.http, {
      name: 'Unit string',
      spec: text('Weight: 5.51 lb'),
      fileName: 'spec.md',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    expect(article.processing_status).toBe('completed');
    expect(Math.abs(article.unit_weight! - 2.5)).toBeLessThan(0.01);
  });
});

describe('acceptance 2: PDF and DOCX specifications', () => {
  it('extracts the weight from a PDF', async () => {
    const pdf = makePdf(['Bracket B-200 (zinc plated steel)', 'Net weight: 1.75 kg']);
    const created = await submitArticle(user.http, {
      name: 'PDF bracket',
      spec: pdf,
      fileName: 'bracket.pdf',
      description: 'Steel bracket',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    expect(article).toMatchObject({
      processing_status: 'completed',
      unit_weight: 1.75,
      specification: { file_name: 'bracket.pdf', kind: 'pdf', stored: true },
    });
    // The model read the PDF's text, not its bytes.
    const weightPrompt = requestsFor('PDF bracket').find(isWeightRequest)!;
    expect(weightPrompt.messages[1].content).toContain('Net weight: 1.75 kg');
    expect(weightPrompt.messages[1].content).not.toContain('%PDF');
  });

  it('extracts the weight from a DOCX', async () => {
    const docx = makeDocx(['Housing H-7', 'Material: ABS', 'Weight: 350 g']);
    const created = await submitArticle(user.http, {
      name: 'DOCX housing',
      spec: docx,
      fileName: 'housing.docx',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    expect(article).toMatchObject({
      processing_status: 'completed',
      unit_weight: 0.35,
      specification: { kind: 'docx' },
    });
    expect(requestsFor('DOCX housing').find(isWeightRequest)!.messages[1].content).toContain(
      'Material: ABS',
    );
  });

  it('sends the passage with the weight from deep inside a long document', async () => {
    const filler = Array.from(
      { length: 120 },
      (_, i) => `Clause ${i}: the supplier follows the general quality terms.`,
    ).join('\n\n');
    const created = await submitArticle(user.http, {
      name: 'Long spec',
      spec: text(`Pump P-9\n\n${filler}\n\nTechnical data: weight 12 kg, housing of cast iron.`),
      fileName: 'long.txt',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    expect(article.unit_weight).toBe(12);
    const prompt = requestsFor('Long spec').find(isWeightRequest)!.messages[1].content;
    expect(prompt).toContain('Passages of the specification');
    expect(prompt.length).toBeLessThan(4300);
  });

  it('records an image specification as not readable and still builds the cost model', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const created = await submitArticle(user.http, {
      name: 'Image spec',
      spec: png,
      fileName: 'photo.png',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    expect(article.processing_status).toBe('completed');
    expect(article.unit_weight).toBeNull();
    expect(article.metadata_error).toContain('image (PNG)');
    expect(article.cost_models!.length).toBeGreaterThan(0);
    expect(requestsFor('Image spec').filter(isWeightRequest)).toHaveLength(0);
  });
});

describe('acceptance 2: every documented status', () => {
  it('processing (with its step) -> completed, then pending on reprocess -> completed', async () => {
    const weightHeld = gate();
    const costHeld = gate();
    const arrived = { weight: gate(), cost: gate() };
    scripts.set('Status walk', async (req) => {
      if (isWeightRequest(req)) {
        arrived.weight.open();
        await weightHeld.opened;
      }
      if (isCostModelRequest(req)) {
        arrived.cost.open();
        await costHeld.opened;
      }
      return undefined;
    });
    const created = await submitArticle(user.http, {
      name: 'Status walk',
      spec: text('Weight: 2 kg'),
      fileName: 'spec.txt',
      description: 'Walks through the statuses',
    }).expect(201);
    // The seed's 201 answer.
    expect(created.body).toMatchObject({
      article_name: 'Status walk',
      description: 'Walks through the statuses',
      unit_weight: null,
      processing_status: 'processing',
      processing_error: null,
      processing_completed_at: null,
    });
    expect(created.body.created_at).toEqual(expect.any(String));
    const id = created.body.id as string;
    const status = async () =>
      (await user.http.get(`/api/articles/${id}/status`).expect(200)).body as ArticleBody;

    await arrived.weight.opened;
    const extracting = await status();
    expect(extracting).toMatchObject({
      id,
      processing_status: 'processing',
      processing_step: 'extracting_metadata',
      processing_error: null,
      processing_completed_at: null,
    });
    expect(extracting.processing_started_at).not.toBeNull();
    weightHeld.open();

    await arrived.cost.opened;
    expect(await status()).toMatchObject({
      processing_status: 'processing',
      processing_step: 'generating_cost_models',
    });
    // The weight is stored before the cost model is done (results as each step completes).
    expect((await user.http.get(`/api/articles/${id}`).expect(200)).body.unit_weight).toBe(2);
    costHeld.open();

    await drain();
    const done = await status();
    expect(done).toMatchObject({ processing_status: 'completed', processing_step: null });
    expect(Date.parse(done.processing_completed_at!)).toBeGreaterThanOrEqual(
      Date.parse(done.processing_started_at!),
    );
    // The status endpoint is the seed's five fields plus the step, nothing heavier.
    expect(Object.keys(done).sort()).toEqual(
      [
        'id',
        'processing_completed_at',
        'processing_error',
        'processing_started_at',
        'processing_status',
        'processing_step',
      ].sort(),
    );

    scripts.delete('Status walk');
    // With this process's workers paused, the reprocessed article waits as `pending`.
    const queue = t
      .get(QueueRegistry)
      .all()
      .find((q) => q.name === 'articles')!.bull;
    await queue.pause(true);
    try {
      const again = await user.http.post(`/api/articles/${id}/reprocess`).expect(202);
      expect(again.body).toMatchObject({
        processing_status: 'pending',
        processing_started_at: null,
        processing_completed_at: null,
        unit_weight: null,
      });
      expect(await status()).toMatchObject({
        processing_status: 'pending',
        processing_step: null,
        processing_error: null,
        processing_started_at: null,
        processing_completed_at: null,
      });
    } finally {
      await queue.resume(true);
    }
    const after = await articleWhenFinished(user.http, id, drain);
    expect(after).toMatchObject({ processing_status: 'completed', unit_weight: 2 });
  });

  it('refuses to reprocess while processing (409)', async () => {
    const held = gate();
    const arrived = gate();
    scripts.set('Busy', async (req) => {
      if (isWeightRequest(req)) {
        arrived.open();
        await held.opened;
      }
      return undefined;
    });
    const created = await submitArticle(user.http, {
      name: 'Busy',
      spec: text('Weight: 1 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    await arrived.opened;
    const refused = await user.http.post(`/api/articles/${created.body.id}/reprocess`).expect(409);
    expect(refused.body.message).toContain('processing');
    held.open();
    await drain();
  });

  it('failed, with the error text, when the cost model cannot be generated', async () => {
    scripts.set('Doomed', (req) =>
      isCostModelRequest(req)
        ? { json: { cost_models: [{ index_id: 'unobtainium', part: 1 }] } }
        : undefined,
    );
    const created = await submitArticle(user.http, {
      name: 'Doomed',
      spec: text('Weight: 3 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    await drain();
    const status = (await user.http.get(`/api/articles/${created.body.id}/status`).expect(200))
      .body as ArticleBody;
    expect(status.processing_status).toBe('failed');
    expect(status.processing_error).toContain('Cost model generation failed');
    expect(status.processing_error).toContain('unobtainium');
    expect(status.processing_started_at).not.toBeNull();
    expect(status.processing_completed_at).not.toBeNull();
    // The weight step had finished: its result stays.
    const article = (await user.http.get(`/api/articles/${created.body.id}`).expect(200))
      .body as ArticleBody;
    expect(article.unit_weight).toBe(3);
    expect(article.cost_models).toEqual([]);
    // Asked once, asked again with the valid ids, then given up.
    expect(requestsFor('Doomed').filter(isCostModelRequest)).toHaveLength(2);
  });

  it('failed, with the provider error, when the model refuses the cost request', async () => {
    scripts.set('Refused', () => undefined);
    const fault = fake.inject({
      fault: { type: 'bad-request', message: 'Refusing to estimate costs today' },
      match: { path: 'chat' },
      after: 1, // the weight request goes through
      times: 1,
    });
    const created = await submitArticle(user.http, {
      name: 'Refused',
      spec: text('Weight: 3 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    await drain();
    fault.remove();
    const status = (await user.http.get(`/api/articles/${created.body.id}/status`).expect(200))
      .body as ArticleBody;
    expect(status.processing_status).toBe('failed');
    expect(status.processing_error).toContain('Refusing to estimate costs today');
  });

  it('a failed weight extraction does not stop cost-model generation (as in the seed)', async () => {
    const fault = fake.inject({
      fault: { type: 'bad-request', message: 'weights are confidential' },
      match: { path: 'chat' },
      times: 1,
    });
    const created = await submitArticle(user.http, {
      name: 'No weight',
      spec: text('Weight: 3 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    fault.remove();
    expect(article.processing_status).toBe('completed');
    expect(article.unit_weight).toBeNull();
    expect(article.metadata_error).toContain('weights are confidential');
    expect(article.cost_models!.length).toBeGreaterThan(0);
  });

  it('flags an implausible weight for review instead of storing it', async () => {
    scripts.set('Heavy', (req) =>
      isWeightRequest(req) ? { json: { unit_weight_grams: 250_000_000_000 } } : undefined,
    );
    scripts.set('Negative', (req) =>
      isWeightRequest(req) ? { json: { unit_weight_grams: -40 } } : undefined,
    );
    const heavy = await submitArticle(user.http, {
      name: 'Heavy',
      spec: text('Weight: 250000 t'),
      fileName: 'spec.txt',
    }).expect(201);
    const negative = await submitArticle(user.http, {
      name: 'Negative',
      spec: text('Weight: -40 g'),
      fileName: 'spec.txt',
    }).expect(201);
    await drain();
    const a = (await user.http.get(`/api/articles/${heavy.body.id}`).expect(200))
      .body as ArticleBody;
    const b = (await user.http.get(`/api/articles/${negative.body.id}`).expect(200))
      .body as ArticleBody;
    expect(a).toMatchObject({ processing_status: 'completed', unit_weight: null });
    expect(a.unit_weight_reported_grams).toBe(250_000_000_000);
    expect(a.weight_review).toContain('100 t');
    expect(b).toMatchObject({ unit_weight: null, unit_weight_reported_grams: -40 });
    expect(b.weight_review).toContain('negative');
  });
});

describe('acceptance 3: cost models sum to 1 over existing indices, whatever the model says', () => {
  const answers = (...replies: FakeReply[]) => {
    let n = 0;
    return (req: FakeChatRequest) => (isCostModelRequest(req) ? replies[n++] : undefined);
  };

  it('re-asks once about an unknown index, then uses the corrected answer', async () => {
    scripts.set(
      'Unknown once',
      answers(
        {
          json: {
            cost_models: [
              { index_id: 999, part: 0.6 },
              { index_id: 1, part: 0.4 },
            ],
          },
        },
        {
          json: {
            cost_models: [
              { index_id: 2, part: 0.6 },
              { index_id: 1, part: 0.4 },
            ],
          },
        },
      ),
    );
    const created = await submitArticle(user.http, {
      name: 'Unknown once',
      spec: text('Weight: 1 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    await drain();
    const models = (await user.http.get(`/api/articles/${created.body.id}/cost-models`).expect(200))
      .body;
    expect(
      models.cost_models.map((p: { index_id: number; part: number }) => [p.index_id, p.part]),
    ).toEqual([
      [2, 0.6],
      [1, 0.4],
    ]);
    expect(models.adjustments[0]).toContain('999');
    const costRequests = requestsFor('Unknown once').filter(isCostModelRequest);
    expect(costRequests).toHaveLength(2);
    expect(costRequests[1].messages.at(-1)!.content).toContain('These index ids do not exist: 999');
  });

  it('drops an unknown index the model insists on and renormalises the rest', async () => {
    const insist = {
      json: {
        cost_models: [
          { index_id: 999, part: 0.5 },
          { index_id: 1, part: 0.3 },
          { index_id: 3, part: 0.2 },
        ],
      },
    };
    scripts.set('Unknown twice', answers(insist, insist));
    const created = await submitArticle(user.http, {
      name: 'Unknown twice',
      spec: text('Weight: 1 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    expect(article.processing_status).toBe('completed');
    expect(article.cost_models!.map((p) => [p.index_id, p.part])).toEqual([
      [1, 0.6],
      [3, 0.4],
    ]);
    expect(article.cost_model_adjustments!.join(' ')).toContain('do not exist: 999');
  });

  it('scales parts that sum to 1.3 down to 1', async () => {
    scripts.set(
      'Sum 1.3',
      answers({
        json: {
          cost_models: [
            { index_id: 1, part: 0.65 },
            { index_id: 8, part: 0.39 },
            { index_id: 9, part: 0.26 },
          ],
        },
      }),
    );
    const created = await submitArticle(user.http, {
      name: 'Sum 1.3',
      spec: text('Weight: 1 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    const article = await articleWhenFinished(user.http, created.body.id, drain);
    expect(article.cost_models!.map((p) => p.part)).toEqual([0.5, 0.3, 0.2]);
    expect(article.cost_model_adjustments!.join(' ')).toContain('summed to 1.3');
    expect(requestsFor('Sum 1.3').filter(isCostModelRequest)).toHaveLength(1);
  });

  it('offers only active indices, and records what was offered', async () => {
    const indices = (await user.http.get('/api/cost-indices').expect(200)).body as {
      id: number;
      code: string;
    }[];
    expect(indices.map((i) => i.code)).toEqual(
      expect.arrayContaining([
        'steel',
        'stainless-steel',
        'aluminium',
        'copper',
        'plastics',
        'rubber',
        'electronics',
        'labour',
        'energy',
        'transport',
        'packaging',
      ]),
    );
    await user.http
      .put('/api/cost-indices')
      .send({ indices: [{ code: 'rubber', name: 'Rubber', active: false }] })
      .expect(403);
    await t.http
      .put('/api/cost-indices')
      .send({ indices: [{ code: 'rubber', name: 'Rubber', active: false }] })
      .expect(200);
    await t.http.post('/api/cost-indices').send({ code: 'titanium', name: 'Titanium' }).expect(201);
    const rubber = indices.find((i) => i.code === 'rubber')!.id;
    // This process's cache of active indices was dropped by the change (others see it within 5 s).
    const created = await submitArticle(user.http, {
      name: 'Offered',
      spec: text('Weight: 1 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    await drain();
    const models = (await user.http.get(`/api/articles/${created.body.id}/cost-models`).expect(200))
      .body;
    const offered = offeredIds(requestsFor('Offered').find(isCostModelRequest)!);
    expect(offered).not.toContain(rubber);
    expect(models.offered_index_ids).toEqual(offered);
    expect(offered.length).toBe(indices.length); // one deactivated, one added
    await t.http
      .put('/api/cost-indices')
      .send({ indices: [{ code: 'rubber', name: 'Rubber', active: true }] })
      .expect(200);
  });

  it('holds for every article stored in this run (checked in the database)', async () => {
    const sums: { article_id: string; total: number; unknown: number }[] = await t.db.query(
      `SELECT m.article_id, sum(m.part) AS total,
              count(*) FILTER (WHERE i.id IS NULL)::int AS unknown
         FROM article_cost_models m LEFT JOIN cost_indices i ON i.id = m.index_id
        GROUP BY m.article_id`,
    );
    expect(sums.length).toBeGreaterThan(10);
    for (const row of sums) {
      expect(Math.abs(Number(row.total) - 1)).toBeLessThanOrEqual(0.001);
      expect(row.unknown).toBe(0);
    }
  });
});

describe('crash safety', () => {
  it('the reconciler re-enqueues an article that Postgres says is open, and a finished step is not redone', async () => {
    // As if a worker died after storing the weight and Redis lost the job: the row says
    // processing, metadata done, and no job exists.
    const source = await submitArticle(user.http, {
      name: 'Crash source',
      spec: text('Weight: 4 kg'),
      fileName: 'spec.txt',
    }).expect(201);
    await drain();
    const [{ id }]: { id: string }[] = await t.db.query(
      `INSERT INTO articles (owner_id, article_name, specification_file_id, specification_file_name,
                             specification_kind, unit_weight, unit_weight_reported_grams,
                             metadata_done_at, processing_status, processing_step, processing_started_at)
       SELECT owner_id, 'Crashed mid-way', specification_file_id, specification_file_name,
              specification_kind, 4.2, 4200, now(), 'processing', 'generating_cost_models', now()
         FROM articles WHERE id = $1
       RETURNING id`,
      [source.body.id],
    );
    const enqueued = await t.get(ReconcilerService).runAll();
    expect(enqueued.articles).toBe(1);
    const article = await articleWhenFinished(user.http, id, drain);
    expect(article).toMatchObject({ processing_status: 'completed', unit_weight: 4.2 });
    expect(requestsFor('Crashed mid-way').filter(isWeightRequest)).toHaveLength(0);
    expect(requestsFor('Crashed mid-way').filter(isCostModelRequest)).toHaveLength(1);
    // A second reconcile finds nothing open.
    expect((await t.get(ReconcilerService).runAll()).articles).toBe(0);
  });
});

describe('the API around it', () => {
  it('answers 400/415 naming the problem, and stores nothing', async () => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM articles`);
    const noName = await user.http
      .post('/api/analyze')
      .attach('productSpecification', text('Weight: 1 kg'), 'spec.txt')
      .expect(400);
    expect(noName.body.message).toContain('articleName');
    const noFile = await user.http.post('/api/analyze').field('articleName', 'X').expect(400);
    expect(noFile.body.message).toContain('productSpecification');
    const zip = Buffer.from('504b0304140000000800', 'hex');
    const wrong = await user.http
      .post('/api/analyze')
      .field('articleName', 'X')
      .attach('productSpecification', Buffer.concat([zip, Buffer.alloc(200)]), 'spec.pdf');
    expect(wrong.status).toBe(415);
    expect(wrong.body.message).toContain('productSpecification');
    const after = await t.db.query(`SELECT count(*)::int AS n FROM articles`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('lists articles newest first, paginated, and only your own', async () => {
    const page = (await user.http.get('/api/articles?limit=2&offset=0').expect(200)).body;
    expect(page.items).toHaveLength(2);
    expect(page.total).toBeGreaterThan(5);
    expect(page.limit).toBe(2);
    const next = (await user.http.get('/api/articles?limit=2&offset=2').expect(200)).body;
    expect(next.items[0].id).not.toBe(page.items[0].id);
    expect(Date.parse(page.items[0].created_at)).toBeGreaterThanOrEqual(
      Date.parse(page.items[1].created_at),
    );
    const other = await t.createUser();
    expect((await other.http.get('/api/articles').expect(200)).body.total).toBe(0);
    await other.http.get(`/api/articles/${page.items[0].id}/status`).expect(404);
    await user.http.get('/api/articles?limit=500').expect(400);
  });

  it('stores a drawing and deletes the article with its files', async () => {
    const created = await submitArticle(user.http, {
      name: 'With drawing',
      spec: text('Weight: 1 kg'),
      fileName: 'spec.txt',
      drawing: { data: makePdf(['Drawing 1']), fileName: 'drawing.pdf' },
    }).expect(201);
    expect(created.body.drawing).toEqual({ file_name: 'drawing.pdf', kind: 'pdf', stored: true });
    await drain();
    const files = await t.db.query(`SELECT count(*)::int AS n FROM stored_files`);
    await user.http.delete(`/api/articles/${created.body.id}`).expect(204);
    await user.http.get(`/api/articles/${created.body.id}`).expect(404);
    const left = await t.db.query(`SELECT count(*)::int AS n FROM stored_files`);
    expect(left[0].n).toBe(files[0].n - 2);
  });
});
