// Acceptance 5: with no key configured, every gateway method answers through the offline
// provider, results say so, and /health says llm.mode "offline".
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { z } from 'zod';
import { EMBEDDING_DIMENSIONS } from '../../src/core/llm/embedding-dimensions.js';
import {
  costModelSchema,
  flowRoutingSchema,
  qaExtractionSchema,
  weightExtractionSchema,
} from '../../src/core/llm/llm-task-schemas.js';
import {
  LlmInvalidOutputError,
  LlmOfflineUnsupportedError,
} from '../../src/core/llm/llm.errors.js';
import { LlmService } from '../../src/core/llm/llm.service.js';
import { cosineSimilarity } from '../../src/core/llm/offline/feature-hashing.js';
import { countWords } from '../../src/core/llm/offline/text.js';
import { drain } from '../support/llm-test-kit.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let llm: LlmService;
const messages = [{ role: 'user' as const, content: '(prose for a real model)' }];

beforeAll(async () => {
  t = await startTestApp({ env: { OPENAI_API_KEY: '', OPENAI_API_KEYS: '' } });
  llm = t.get(LlmService);
});

afterAll(async () => {
  await t?.close();
});

describe('offline mode', () => {
  it('/health says llm.mode "offline"', async () => {
    const res = await request(t.url).get('/health').expect(200);
    expect(res.body.llm).toMatchObject({ status: 'up', mode: 'offline' });
    expect(llm.mode).toBe('offline');
  });

  it('complete writes a templated email from the lead fields', async () => {
    const result = await llm.complete({
      task: 'email',
      input: { lead: { firstName: 'Ada', company: 'Analytical Engines Ltd', jobTitle: 'CTO' } },
      messages,
    });
    expect(result).toMatchObject({ provider: 'offline', model: 'offline:templates', costUsd: 0 });
    expect(result.text).toMatch(/^Hi Ada,/);
    expect(countWords(result.text)).toBeGreaterThanOrEqual(50);
    expect(countWords(result.text)).toBeLessThanOrEqual(70);
  });

  it('complete writes a website message', async () => {
    const result = await llm.complete({
      task: 'website-message',
      input: {
        website: 'https://acme.example',
        pageText: 'Acme builds rockets for coyotes in the desert.',
      },
      messages,
    });
    expect(result.provider).toBe('offline');
    expect(result.text).toContain('Acme builds rockets for coyotes in the desert');
  });

  it('completeJson extracts a weight, a cost model, Q&A pairs and a flow', async () => {
    const weight = await llm.completeJson(
      { task: 'weight-extraction', input: { specificationText: 'Net weight: 1.5 lb' }, messages },
      weightExtractionSchema,
    );
    expect(weight).toMatchObject({ provider: 'offline', value: { unit_weight_grams: 680.389 } });

    const cost = await llm.completeJson(
      {
        task: 'cost-model',
        input: {
          articleName: 'Steel shelf',
          description: 'powder-coated steel, assembled by hand',
          indices: [
            { id: 10, name: 'Steel' },
            { id: 11, name: 'Labour' },
            { id: 12, name: 'Textiles' },
          ],
        },
        messages,
      },
      costModelSchema,
    );
    const parts = cost.value.cost_models;
    expect(parts.reduce((sum, p) => sum + p.part, 0)).toBeCloseTo(1, 9);
    expect(parts.map((p) => p.index_id)).not.toContain(12);

    const qa = await llm.completeJson(
      {
        task: 'qa-extraction',
        input: {
          transcript:
            'Customer: How long does shipping to Oslo take?\nAgent: Orders to Oslo arrive in three to five working days.',
        },
        messages,
      },
      qaExtractionSchema,
    );
    expect(qa.value.examples).toEqual([
      expect.objectContaining({ question: 'How long does shipping to Oslo take?' }),
    ]);

    const flow = await llm.completeJson(
      {
        task: 'flow-routing',
        input: {
          message: 'I want a refund',
          flows: [{ id: 'main' }, { id: 'billing', keywords: ['refund', 'invoice'] }],
        },
        messages,
      },
      flowRoutingSchema,
    );
    expect(flow.value.flow).toBe('billing');
  });

  it('completeJson says clearly what offline mode cannot do', async () => {
    await expect(
      llm.completeJson({ task: 'generic', messages }, z.object({ x: z.string() })),
    ).rejects.toBeInstanceOf(LlmOfflineUnsupportedError);
    const wrongShape = z.object({ weight_kg: z.number() });
    const error = await llm
      .completeJson(
        { task: 'weight-extraction', input: { specificationText: '1 kg' }, messages },
        wrongShape,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmInvalidOutputError);
    expect((error as Error).message).toMatch(/does not match the given schema.*weight_kg/s);
  });

  it('stream answers a chat message from the closest retrieved example, token by token', async () => {
    const stream = llm.stream({
      task: 'chat',
      input: {
        message: 'how can I reset my password?',
        examples: [
          { question: 'Where do I see my invoices?', answer: 'Under Billing.' },
          {
            question: 'How do I reset my password?',
            answer: 'Go to Settings, then Security, then Reset password.',
          },
        ],
      },
      messages,
    });
    const { tokens, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(tokens.length).toBeGreaterThan(3);
    const result = await stream.result;
    expect(result).toMatchObject({
      provider: 'offline',
      model: 'offline:retrieval',
      text: 'Go to Settings, then Security, then Reset password.',
      finishReason: 'stop',
    });
    expect(tokens.join('')).toBe(result.text);
    expect(result.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('embed returns feature-hashed vectors of the fixed dimension', async () => {
    const result = await llm.embed([
      'How do I reset my password?',
      'resetting my password',
      'furniture shipping countries',
    ]);
    expect(result).toMatchObject({
      provider: 'offline',
      model: 'offline:feature-hashing',
      costUsd: 0,
    });
    expect(result.vectors.map((v) => v.length)).toEqual([
      EMBEDDING_DIMENSIONS,
      EMBEDDING_DIMENSIONS,
      EMBEDDING_DIMENSIONS,
    ]);
    const [a, b, c] = result.vectors;
    expect(cosineSimilarity(a, b)).toBeGreaterThan(cosineSimilarity(a, c));
  });

  it('records offline calls as such', async () => {
    const ref = { kind: 'article', id: randomUUID() };
    await llm.complete({ task: 'generic', messages, ref });
    expect(await llm.usageByRef(ref)).toMatchObject({ calls: 1, offlineCalls: 1, costUsd: 0 });
    const [row] = await t.db.query(`SELECT provider, model FROM llm_calls WHERE ref_id = $1`, [
      ref.id,
    ]);
    expect(row).toEqual({ provider: 'offline', model: 'offline:none' });
  });
});
