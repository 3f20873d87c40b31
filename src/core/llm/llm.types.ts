/**
 * The gateway's public vocabulary: what a module asks (`LlmRequest`, one shape per task) and what
 * it gets back (`LlmTextResult`, `LlmJsonResult`, `LlmStreamResult`, `LlmEmbedResult`).
 *
 * A request always carries the chat `messages` a real model reads AND the task's structured
 * `input`, which the offline provider reads instead (it cannot understand prose, so it needs the
 * lead's fields, the specification text, the offered cost indices...). Give both and the same call
 * works with and without an API key.
 */

/** Which provider answered. Pages show "offline" results as such. */
export type LlmProviderName = 'openai' | 'offline';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * The job or row a call serves, for usage accounting (`llm_calls.ref_kind`, `ref_id`). `parent`
 * names the larger unit it belongs to (the email job of an email row), so both the row's and the
 * job's totals are one query away (`LlmService.usageByRef`).
 *
 * @example { kind: 'email-row', id: row.id, parent: { kind: 'email-job', id: job.id } }
 */
export interface LlmRef {
  kind: string;
  id: string;
  parent?: { kind: string; id: string };
}

/** Who pays and what for: recorded with every call. */
export interface LlmAccounting {
  /** The user the work belongs to (uuid); null for system work. */
  ownerId?: string | null;
  ref?: LlmRef;
}

/** What every request may carry besides its task. */
export interface LlmRequestOptions extends LlmAccounting {
  /** What the model reads (system prompt first). Required: a real provider needs prose. */
  messages: LlmMessage[];
  /**
   * A model to try first; LLM_MODELS follow as fallbacks. Unset: LLM_MODELS in order.
   */
  model?: string;
  /** Upper bound of the answer; also what the token budget reserves (LLM_COMPLETION_RESERVE_TOKENS when unset). */
  maxTokens?: number;
  temperature?: number;
  /** Aborts waiting, the request in flight and any retry (e.g. `job.signal`). */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------
// Task inputs: what the offline provider reads.
// ---------------------------------------------------------------------------------------------

/** One lead of a spreadsheet (seed 002). Unknown columns go in `extra`. */
export interface EmailLeadFields {
  firstName?: string;
  lastName?: string;
  /** When the sheet has one name column. */
  fullName?: string;
  company?: string;
  jobTitle?: string;
  industry?: string;
  website?: string;
  location?: string;
  /** Anything else the sheet had (column name -> cell), used as talking points. */
  extra?: Record<string, string>;
}

/** A personalised cold email, 50-70 words, no signature (seed 002). */
export interface EmailTaskInput {
  lead: EmailLeadFields;
  /** What the sender offers, e.g. "AI automation for order processing". */
  offer?: string;
}

/** A first message to a company, from what was scraped off its website (seed 000). */
export interface WebsiteMessageTaskInput {
  website: string;
  companyName?: string;
  /** The page's <title>. */
  pageTitle?: string;
  /** Readable text of the scraped pages (the offline provider reads the first sentences). */
  pageText?: string;
  offer?: string;
}

/** The product weight in grams from a specification (seed 001). Answer: `WeightExtraction`. */
export interface WeightExtractionTaskInput {
  specificationText: string;
  fileName?: string;
}

/** One cost index the article's cost may be split over. */
export interface CostIndexOption {
  id: string | number;
  name: string;
  description?: string;
}

/** A split of the article's cost over the offered indices (seed 001). Answer: `CostModel`. */
export interface CostModelTaskInput {
  articleName: string;
  description?: string;
  specificationText?: string;
  unitWeightGrams?: number | null;
  /** The indices the answer may use; parts sum to 1 over these ids. */
  indices: CostIndexOption[];
}

/** Question/answer pairs from a support transcript (seed 003). Answer: `QaExtraction`. */
export interface QaExtractionTaskInput {
  transcript: string;
  title?: string;
  /** At most this many pairs (FEEDME_MAX_EXAMPLES_PER_CONVERSATION). */
  maxExamples?: number;
}

/** A knowledge-base example retrieved for a chat message. */
export interface ChatExample {
  question: string;
  answer: string;
  /** Similarity from the vector search, when known. */
  similarity?: number;
}

/** A chatbot reply grounded in retrieved examples (seed 004). */
export interface ChatTaskInput {
  message: string;
  history?: LlmMessage[];
  /** Retrieved examples, best first; the offline provider answers from the closest one. */
  examples?: ChatExample[];
  language?: string;
}

/** One conversation flow a message can be routed to. */
export interface FlowOption {
  id: string;
  description?: string;
  keywords?: string[];
}

/** Which flow should answer a message (seed 004). Answer: `FlowRouting`. */
export interface FlowRoutingTaskInput {
  message: string;
  flows: FlowOption[];
  /** Chosen when nothing matches (default: the first flow). */
  defaultFlow?: string;
}

/**
 * One request shape per task, discriminated by `task`. The offline provider needs to know what
 * is asked; a real model reads `messages`.
 */
export type LlmTaskRequest =
  | { task: 'email'; input: EmailTaskInput }
  | { task: 'website-message'; input: WebsiteMessageTaskInput }
  | { task: 'weight-extraction'; input: WeightExtractionTaskInput }
  | { task: 'cost-model'; input: CostModelTaskInput }
  | { task: 'qa-extraction'; input: QaExtractionTaskInput }
  | { task: 'chat'; input: ChatTaskInput }
  | { task: 'flow-routing'; input: FlowRoutingTaskInput }
  /** Free-form prose: the offline provider says honestly that it cannot write it. */
  | { task: 'generic'; input?: undefined };

export type LlmTask = LlmTaskRequest['task'];

export const LLM_TASKS: readonly LlmTask[] = [
  'email',
  'website-message',
  'weight-extraction',
  'cost-model',
  'qa-extraction',
  'chat',
  'flow-routing',
  'generic',
];

/** A request to `complete`, `completeJson` or `stream`. */
export type LlmRequest = LlmTaskRequest & LlmRequestOptions;

/** A request to `embed`. */
export interface LlmEmbedOptions extends LlmAccounting {
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** True when counted by our tokenizer (offline, or a server that sent no usage). */
  estimated: boolean;
}

/**
 * Why the model stopped: `stop` (done), `length` (hit maxTokens: complete but cut short),
 * `content_filter`, `tool_calls`, or `unknown` for servers that send something else.
 */
export type LlmFinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'unknown';

export interface LlmResultMeta {
  /** The model that answered (after fallbacks), or `offline`'s rule set name. */
  model: string;
  provider: LlmProviderName;
  usage: LlmUsage;
  /** From the LLM_PRICES table; null when the model has no price there. */
  costUsd: number | null;
  /** From the call until the answer, waits for the rate limiter and retries included. */
  latencyMs: number;
  /** Of that, time spent waiting for the shared rate limiter (and 429 pauses). */
  queuedMs: number;
  /** Of that, time spent in requests to the provider (every attempt; streams: to the first token). */
  providerMs: number;
  /** Requests sent (1 when nothing went wrong). */
  attempts: number;
  finishReason: LlmFinishReason;
}

export interface LlmTextResult extends LlmResultMeta {
  text: string;
}

export interface LlmJsonResult<T> extends LlmResultMeta {
  value: T;
  /** The raw answer the value was parsed from. */
  text: string;
  /** True when the first answer failed the schema and the re-ask fixed it. */
  reasked: boolean;
}

export interface LlmStreamResult extends LlmResultMeta {
  text: string;
  /** Time to first token, from the call (waits included). */
  ttftMs: number;
  /** Completion tokens per second after the first token. */
  tokensPerSecond: number;
}

export interface LlmEmbedResult {
  /** One vector per text, in order, each EMBEDDING_DIMENSIONS long and L2-normalised. */
  vectors: number[][];
  model: string;
  provider: LlmProviderName;
  usage: LlmUsage;
  costUsd: number | null;
  latencyMs: number;
  queuedMs: number;
  providerMs: number;
  attempts: number;
}

/**
 * A running stream: iterate it for tokens; `result` settles when it ends. A stream that stops
 * without a finish reason throws `LlmStreamTruncatedError` from the iterator (after the tokens it
 * did deliver) and `result` rejects with the same error: never reported as complete.
 */
export interface LlmStream extends AsyncIterable<string> {
  readonly result: Promise<LlmStreamResult>;
}
