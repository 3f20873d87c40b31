import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import {
  KnowledgeSearch,
  type KnowledgeHit,
  type KnowledgeQuery,
} from '../../core/knowledge/knowledge-search.js';
import { LlmService } from '../../core/llm/llm.service.js';
import { isUuid, type Owner } from '../../core/auth/owner-scope.js';
import { FeedmeExamplesRepository, type SimilarityRow } from './feedme-examples.repository.js';
import { words } from './extraction/text-terms.js';

/** How much the keyword match adds on top of the semantic similarity (see `combinedScore`). */
export const KEYWORD_WEIGHT = 0.2;

export interface SearchOptions {
  query: string;
  topK: number;
  /** Least combined score, 0..1 (FEEDME_SIMILARITY_THRESHOLD when absent). */
  threshold?: number;
  /** Only examples with at least one of these tags. */
  tags?: string[];
  /** Only examples from these conversations (FeedMe's knowledge bases). */
  conversationIds?: string[];
  /** Also low-quality examples that nobody approved (default: left out). */
  includeLowQuality?: boolean;
  /** Count the hits in usage tracking (default true; the search page's tries count too). */
  trackUsage?: boolean;
}

export interface SearchHit extends SimilarityRow {
  score: number;
}

/**
 * 0..1: the cosine similarity, raised by the keyword rank for the part it leaves: a perfect
 * semantic match stays 1, and shared words break ties between near neighbours.
 */
export function combinedScore(semantic: number, keyword: number): number {
  const s = Math.min(1, Math.max(0, semantic));
  const k = Math.min(1, Math.max(0, keyword));
  return Math.round((s + KEYWORD_WEIGHT * k * (1 - s)) * 10000) / 10000;
}

/** OR of the query's words for to_tsquery (letters and digits only, so nothing can inject syntax). */
export function keywordQueryOf(text: string): string {
  const terms = [...new Set(words(text).map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')))]
    .filter((w) => w.length > 1)
    .slice(0, 32);
  return terms.join(' | ');
}

/**
 * Similarity search over the Q&A examples: the query embedded through the gateway, candidates from
 * the HNSW index and the keyword index, combined scores, threshold, top K, usage counted. It is
 * also the `KnowledgeSearch` other modules (Conversations) ground answers in; there, each
 * conversation (transcript) is a knowledge base.
 */
@Injectable()
export class FeedmeSearchService extends KnowledgeSearch {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly llm: LlmService,
    private readonly examples: FeedmeExamplesRepository,
  ) {
    super();
  }

  async searchExamples(owner: Owner, options: SearchOptions): Promise<SearchHit[]> {
    const text = options.query.trim();
    if (!text || options.topK <= 0) return [];
    const threshold = options.threshold ?? this.config.feedme.similarityThreshold;
    const { vectors } = await this.llm.embed([text], {
      ownerId: owner.id,
      ref: { kind: 'feedme-search', id: owner.id },
    });
    const rows = await this.examples.searchSimilar({
      owner,
      vector: vectors[0],
      keywordQuery: keywordQueryOf(text),
      candidates: Math.max(40, options.topK * 4),
      tags: options.tags,
      conversationIds: options.conversationIds,
      includeLowQuality: options.includeLowQuality ?? false,
    });
    const hits = rows
      .map((row) => ({ ...row, score: combinedScore(row.semantic, row.keyword) }))
      .filter((hit) => hit.score >= threshold)
      .sort((a, b) => b.score - a.score || b.semantic - a.semantic || a.id.localeCompare(b.id))
      .slice(0, options.topK);
    if (options.trackUsage !== false) await this.examples.recordUsage(hits.map((h) => h.id));
    return hits;
  }

  /** The KnowledgeSearch contract (src/core/knowledge): approved or good examples only. */
  async search(query: KnowledgeQuery): Promise<KnowledgeHit[]> {
    // Knowledge base ids name conversations; one that is not even a uuid names nothing.
    const bases = query.knowledgeBaseIds?.filter(isUuid);
    if (bases && bases.length === 0) return [];
    const hits = await this.searchExamples(
      { id: query.ownerId },
      {
        query: query.text,
        topK: query.topK,
        threshold: query.minScore ?? 0,
        conversationIds: bases,
      },
    );
    return hits.map((hit) => ({
      id: hit.id,
      knowledgeBaseId: hit.conversationId,
      question: hit.question,
      answer: hit.answer,
      score: hit.score,
      source: hit.conversationTitle,
    }));
  }
}
