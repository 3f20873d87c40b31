import type { FakeChatRequest, FakeReply } from '../fake-openai/fake-openai.js';
import type { KeyedHttp } from '../http.js';

export interface ArticleBody {
  id: string;
  article_name: string;
  description: string | null;
  unit_weight: number | null;
  unit_weight_reported_grams: number | null;
  weight_review: string | null;
  metadata_error: string | null;
  processing_status: string;
  processing_error: string | null;
  processing_step: string | null;
  processing_started_at: string | null;
  processing_completed_at: string | null;
  created_at: string;
  specification: { file_name: string; kind: string; stored: boolean };
  drawing: { file_name: string; kind: string; stored: boolean } | null;
  cost_models?: { index_id: number; index_code: string; index_name: string; part: number }[];
  cost_model_adjustments?: string[];
  provider?: string | null;
}

export interface SubmitOptions {
  name: string;
  spec: Buffer;
  fileName: string;
  description?: string;
  drawing?: { data: Buffer; fileName: string };
}

/** POST /api/analyze as the seed's curl does: -F articleName=... -F productSpecification=@file. */
export function submitArticle(http: KeyedHttp, options: SubmitOptions) {
  let req = http.post('/api/analyze').field('articleName', options.name);
  if (options.description !== undefined) req = req.field('description', options.description);
  req = req.attach('productSpecification', options.spec, options.fileName);
  if (options.drawing) req = req.attach('drawing', options.drawing.data, options.drawing.fileName);
  return req;
}

/** Waits for one article's analysis to end, reading the cheap status endpoint. */
export async function articleWhenFinished(
  http: KeyedHttp,
  id: string,
  drain: () => Promise<void>,
): Promise<ArticleBody> {
  await drain();
  return (await http.get(`/api/articles/${id}`).expect(200)).body as ArticleBody;
}

/**
 * Seed 001's "Recommended Flow", kept as the seed writes it (FormData POST, a 2.5 s polling
 * interval on the status endpoint, then the full article). The seed's frontend runs on the same
 * origin with its credentials; here `fetch` resolves the seed's relative URLs against the server
 * and sends the user's API key, and the React state setters are plain callbacks.
 */
export function runSeedFrontendFlow(
  baseUrl: string,
  apiKey: string,
  file: File,
  articleName: string,
) {
  // In a browser Response.json() is typed `any`, which the seed's code relies on.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type SeedResponse = { json(): Promise<any> };
  const fetch = (path: string, init: RequestInit = {}): Promise<SeedResponse> =>
    globalThis.fetch(new URL(path, baseUrl), {
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'X-API-Key': apiKey },
    });
  type Outcome = { outcome: 'results'; article: ArticleBody } | { outcome: 'error'; error: string };
  return new Promise<Outcome>((resolve, reject) => {
    // The seed's interval is cleared by the seed's code; these are cleared too if it never ends.
    const intervals: NodeJS.Timeout[] = [];
    const setInterval = (callback: () => Promise<void>, ms: number) => {
      const handle = globalThis.setInterval(() => {
        callback().catch((error: unknown) => stop(() => reject(error as Error)));
      }, ms);
      intervals.push(handle);
      return handle;
    };
    const clearInterval = (handle: NodeJS.Timeout) => globalThis.clearInterval(handle);
    const stop = (then: () => void) => {
      clearTimeout(timeout);
      intervals.forEach((handle) => globalThis.clearInterval(handle));
      then();
    };
    const timeout = setTimeout(
      () => stop(() => reject(new Error('the seed flow did not finish in 50 s'))),
      50_000,
    );
    const finish = (outcome: Outcome) => stop(() => resolve(outcome));
    const setIsLoading = (_loading: boolean) => undefined;
    const showResults = (article: ArticleBody) => finish({ outcome: 'results', article });
    const showError = (error: string) => finish({ outcome: 'error', error });
    const run = async () => {
      // ---- the seed's code, unchanged apart from the types and the article name ----
      // 1. Submit article for analysis
      const formData = new FormData();
      formData.append('articleName', articleName);
      formData.append('productSpecification', file);

      const response = await fetch('/api/analyze', {
        method: 'POST',
        body: formData,
      });

      const article = await response.json();
      const articleId = article.id;

      // 2. Show loading state and start polling
      setIsLoading(true);

      const pollInterval = setInterval(async () => {
        const statusResponse = await fetch(`/api/articles/${articleId}/status`);
        const status = await statusResponse.json();

        if (status.processing_status === 'completed') {
          clearInterval(pollInterval);
          setIsLoading(false);

          // 3. Fetch full article data
          const fullDataResponse = await fetch(`/api/articles/${articleId}`);
          const fullArticle = await fullDataResponse.json();

          // Display results
          showResults(fullArticle);
        } else if (status.processing_status === 'failed') {
          clearInterval(pollInterval);
          setIsLoading(false);

          // Show error
          showError(status.processing_error);
        }
      }, 2500); // Poll every 2.5 seconds
      // ---- end of the seed's code ----
    };
    run().catch((error: unknown) => stop(() => reject(error as Error)));
  });
}

// ---------------------------------------------------------------------------------------------
// A scripted "model" for the fake OpenAI server
// ---------------------------------------------------------------------------------------------

const GRAMS: Record<string, number> = {
  g: 1,
  kg: 1000,
  lb: 453.59237,
  lbs: 453.59237,
  oz: 28.3495,
};

/** The article a request is about (the prompts start with "Article: <name>"). */
export function articleOf(req: FakeChatRequest): string {
  const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
  return /^Article: (.+)$/m.exec(user)?.[1] ?? '';
}

export function isWeightRequest(req: FakeChatRequest): boolean {
  return req.responseFormat?.json_schema?.name === 'unit_weight';
}

export function isCostModelRequest(req: FakeChatRequest): boolean {
  return req.responseFormat?.json_schema?.name === 'cost_models';
}

/** The index ids a cost-model prompt offers ("- 3: Aluminium ..."). */
export function offeredIds(req: FakeChatRequest): number[] {
  const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
  return [...user.matchAll(/^- (\d+): /gm)].map((m) => Number(m[1]));
}

/**
 * What a competent model answers: the first "weight" statement converted to grams, and a cost
 * split over the first three offered indices.
 */
export function competentModel(req: FakeChatRequest): FakeReply {
  if (isWeightRequest(req)) {
    const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
    const match = /weight[^0-9]{0,20}(\d+(?:[.,]\d+)?)\s*(kg|g|lbs?|oz)\b/i.exec(user);
    const grams = match ? Number(match[1].replace(',', '.')) * GRAMS[match[2].toLowerCase()] : null;
    return { json: { unit_weight_grams: grams === null ? null : Math.round(grams * 10) / 10 } };
  }
  if (isCostModelRequest(req)) {
    const [a, b, c] = offeredIds(req);
    return {
      json: {
        cost_models: [
          { index_id: a, part: 0.5 },
          { index_id: b, part: 0.3 },
          { index_id: c, part: 0.2 },
        ],
      },
    };
  }
  return { content: 'unexpected request' };
}
