import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSeedFrontendFlow } from '../support/factories/articles.js';
import { makePdf } from '../support/factories/documents.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Acceptance 1 without an API key: the seed's frontend flow against a server whose gateway uses
// the offline provider (rule-based weight extraction with unit conversion, keyword cost models).

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe("the seed's frontend flow in offline mode", () => {
  it.each([
    ['Weight: 2.5 kg', 'spec.txt'],
    ['Net weight: 5.51 lb', 'spec.md'],
  ])('reaches completed with unit_weight 2.5 for "%s"', async (line, fileName) => {
    const file = new File([`Widget A\nHousing: aluminium, steel screws\n${line}\n`], fileName);
    const result = await runSeedFrontendFlow(t.url, t.user.key, file, `Offline ${fileName}`);
    expect(result.outcome).toBe('results');
    if (result.outcome !== 'results') return;
    expect(result.article.processing_status).toBe('completed');
    expect(Math.abs(result.article.unit_weight! - 2.5)).toBeLessThan(0.01);
    expect(result.article.provider).toBe('offline');
    const parts = result.article.cost_models!;
    expect(parts.length).toBeGreaterThan(0);
    expect(Math.abs(parts.reduce((s, p) => s + p.part, 0) - 1)).toBeLessThanOrEqual(0.001);
  });

  it('reads the weight from a PDF', async () => {
    const file = new File([makePdf(['Bracket', 'Weight: 1,75 kg'])], 'bracket.pdf');
    const result = await runSeedFrontendFlow(t.url, t.user.key, file, 'Offline PDF');
    expect(result.outcome === 'results' && result.article.unit_weight).toBe(1.75);
  });
});
