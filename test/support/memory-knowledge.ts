import { Global, Module, type DynamicModule } from '@nestjs/common';
import {
  KnowledgeSearch,
  type KnowledgeHit,
  type KnowledgeQuery,
} from '../../src/core/knowledge/knowledge-search.js';

export interface MemoryEntry {
  id: string;
  ownerId: string;
  knowledgeBaseId: string;
  question: string;
  answer: string;
  source?: string;
}

const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);

/**
 * A small in-memory KnowledgeSearch for tests of the modules that read knowledge (the real one is
 * FeedMe's): word overlap of the question with the query, owner-scoped. Every query is recorded.
 */
export class MemoryKnowledgeSearch extends KnowledgeSearch {
  readonly queries: KnowledgeQuery[] = [];

  constructor(readonly entries: MemoryEntry[] = []) {
    super();
  }

  async search(query: KnowledgeQuery): Promise<KnowledgeHit[]> {
    this.queries.push(query);
    const asked = words(query.text);
    return this.entries
      .filter((entry) => entry.ownerId === query.ownerId)
      .filter(
        (entry) =>
          !query.knowledgeBaseIds || query.knowledgeBaseIds.includes(entry.knowledgeBaseId),
      )
      .map((entry) => {
        const own = words(entry.question);
        let shared = 0;
        for (const word of own) if (asked.has(word)) shared++;
        return { entry, score: own.size === 0 ? 0 : shared / own.size };
      })
      .filter((hit) => hit.score > 0 && hit.score >= (query.minScore ?? 0))
      .sort((a, b) => b.score - a.score)
      .slice(0, query.topK)
      .map(({ entry, score }) => ({
        id: entry.id,
        knowledgeBaseId: entry.knowledgeBaseId,
        question: entry.question,
        answer: entry.answer,
        score,
        source: entry.source,
      }));
  }
}

/** Provides the given KnowledgeSearch app-wide, as FeedMe's module does. */
export function memoryKnowledgeModule(search: MemoryKnowledgeSearch): DynamicModule {
  @Global()
  @Module({})
  class MemoryKnowledgeModule {}
  return {
    module: MemoryKnowledgeModule,
    global: true,
    providers: [{ provide: KnowledgeSearch, useValue: search }],
    exports: [KnowledgeSearch],
  };
}
