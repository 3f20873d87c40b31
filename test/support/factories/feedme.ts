import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractQaPairs } from '../../../src/core/llm/offline/qa-extraction.js';
import type { FakeReply, FakeChatRequest } from '../fake-openai/fake-openai.js';
import type { KeyedHttp } from '../http.js';

export const FEEDME_FIXTURES = join(process.cwd(), 'test', 'fixtures', 'feedme');

export function feedmeFixture(name: string): Promise<Buffer> {
  return readFile(join(FEEDME_FIXTURES, name));
}

/**
 * The fake model's side of the Q&A extraction: it reads the transcript the prompt carries and
 * answers with the pairs a careful reader would find (the speaker-turn rules). Other requests get
 * the fake server's default answer.
 */
export function qaExtractionResponder(request: FakeChatRequest): FakeReply | undefined {
  const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const at = user.indexOf('Transcript:\n');
  if (request.responseFormat?.type !== 'json_schema' || at === -1) return undefined;
  return { json: extractQaPairs({ transcript: user.slice(at + 'Transcript:\n'.length) }) };
}

export interface FeedmeUploadBody {
  id: string;
  status: number;
  processing_status: string;
  message: string;
  processing_mode: string;
  source_format: string;
}

export interface FeedmeStatusBody {
  id: string;
  processing_status: string;
  processing_step: string | null;
  error_message: string | null;
  examples_extracted: number;
  examples_merged: number;
}

export interface FeedmeExampleBody {
  id: string;
  conversation_id: string;
  question: string;
  answer: string;
  context: string;
  tags: string[];
  quality_score: number;
  low_quality: boolean;
  review_status: string;
  version: number;
  usage_count: number;
  source_count: number;
}

export interface FeedmeSearchHitBody extends FeedmeExampleBody {
  score: number;
  semantic_score: number;
  keyword_score: number;
  conversation: { id: string; title: string };
}

/** The seed's upload: multipart title, transcript_file, auto_process. */
export function uploadTranscript(
  http: KeyedHttp,
  file: Buffer,
  fileName: string,
  title = fileName,
  autoProcess?: boolean,
) {
  const req = http
    .post('/api/v1/feedme/conversations/upload')
    .field('title', title)
    .attach('transcript_file', file, fileName);
  return autoProcess === undefined ? req : req.field('auto_process', String(autoProcess));
}
