import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../core/config/config.module.js';
import type { AppConfig } from '../../../core/config/config.js';
import { qaExtractionSchema } from '../../../core/llm/llm-task-schemas.js';
import { LlmService } from '../../../core/llm/llm.service.js';
import type { QualityReason } from '../entities/feedme-example.entity.js';
import { scoreExample } from './example-quality.js';
import { tagExample } from './example-tags.js';
import { normalisedQuestion } from './text-terms.js';
import { chunkTranscript } from './transcript-chunks.js';

export interface ExtractedExample {
  question: string;
  answer: string;
  context: string;
  tags: string[];
  confidence: number;
  qualityScore: number;
  qualityReasons: QualityReason[];
  lowQuality: boolean;
}

export interface ExtractionInput {
  conversationId: string;
  ownerId: string;
  title: string;
  transcript: string;
  sourceTags: string[];
  signal?: AbortSignal;
  /** Called after each chunk, for the status endpoint's progress. */
  onChunk?: (done: number, total: number) => Promise<void>;
}

const SYSTEM_PROMPT = `You turn customer-support transcripts into a reusable Q&A knowledge base.
From the transcript, extract each distinct question the customer asked that the agent answered.
Rewrite the question so it stands alone (no "it" or "that" that needs the conversation), and keep
the agent's answer complete and specific (steps, settings, amounts). Leave out greetings, small
talk, and questions the agent did not answer. Give each pair your confidence (0..1) that it is a
correct, reusable answer. Answer in JSON.`;

/**
 * Transcript -> Q&A examples through the LLM gateway, chunk by chunk (overlapping), then scored,
 * tagged, given their context and capped at FEEDME_MAX_EXAMPLES_PER_CONVERSATION (best first).
 */
@Injectable()
export class QaExtractor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly llm: LlmService,
  ) {}

  async extract(input: ExtractionInput): Promise<{ examples: ExtractedExample[]; chunks: number }> {
    const settings = this.config.feedme;
    const chunks = chunkTranscript(
      input.transcript,
      settings.chunkChars,
      settings.chunkOverlapChars,
    );
    const seen = new Set<string>();
    const found: ExtractedExample[] = [];
    for (const [index, chunk] of chunks.entries()) {
      const { value } = await this.llm.completeJson(
        {
          task: 'qa-extraction',
          input: {
            transcript: chunk,
            title: input.title,
            maxExamples: settings.maxExamplesPerConversation,
          },
          messages: [
            { role: 'system', content: SYSTEM_PROMPT },
            {
              role: 'user',
              content: `Title: ${input.title}\nPart ${index + 1} of ${chunks.length}.\n\nTranscript:\n${chunk}`,
            },
          ],
          maxTokens: 2000,
          temperature: 0,
          signal: input.signal,
          ownerId: input.ownerId,
          ref: { kind: 'feedme-conversation', id: input.conversationId },
        },
        qaExtractionSchema,
      );
      for (const pair of value.examples) {
        const question = pair.question.trim();
        const answer = pair.answer.trim();
        const key = normalisedQuestion(question);
        if (!question || !answer || !key || seen.has(key)) continue;
        seen.add(key);
        const quality = scoreExample(question, answer, pair.confidence);
        found.push({
          question,
          answer,
          context: contextOf(input.transcript, question),
          tags: tagExample(question, answer, input.sourceTags),
          confidence: pair.confidence,
          qualityScore: quality.score,
          qualityReasons: quality.reasons,
          lowQuality: quality.score < settings.qualityThreshold,
        });
      }
      await input.onChunk?.(index + 1, chunks.length);
    }
    const keep = new Set(
      [...found]
        .sort((a, b) => b.qualityScore - a.qualityScore)
        .slice(0, settings.maxExamplesPerConversation),
    );
    return { examples: found.filter((e) => keep.has(e)), chunks: chunks.length };
  }
}

/**
 * What came just before the question in the transcript (up to two lines, 400 characters): enough
 * for a reviewer to see what "it" was. Empty when the question was rewritten beyond recognition.
 */
export function contextOf(transcript: string, question: string): string {
  const probe = question.slice(0, 40);
  const at = transcript.indexOf(probe);
  if (at <= 0) return '';
  const before = transcript.slice(0, at).split('\n');
  before.pop(); // the start of the question's own line
  return before.slice(-2).join('\n').slice(-400).trim();
}
