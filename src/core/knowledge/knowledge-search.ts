/**
 * The one contract between the module that owns knowledge (FeedMe, seed 003) and the modules that
 * ground answers in it (Conversations, seed 004). FeedMe provides `KnowledgeSearch` (the abstract
 * class is the injection token); Conversations injects it and never reads FeedMe's tables.
 */
export interface KnowledgeQuery {
  /** Only entries this user may read are returned. */
  ownerId: string;
  /** The text to match (the user's message, or a flow's rewrite of it). */
  text: string;
  /** How many hits at most (a flow's top-K). */
  topK: number;
  /** Hits scoring below this (0..1, higher is closer) are left out. */
  minScore?: number;
  /** Restrict to these knowledge bases; every base the owner has when absent. */
  knowledgeBaseIds?: string[];
}

export interface KnowledgeHit {
  /** The Q&A pair's id: stable, so an answer can cite it. */
  id: string;
  knowledgeBaseId: string;
  question: string;
  answer: string;
  /** 0..1, higher is closer (semantic and keyword scores combined). */
  score: number;
  /** Where the pair came from (e.g. the transcript's name), for a citation's label. */
  source?: string;
}

export abstract class KnowledgeSearch {
  abstract search(query: KnowledgeQuery): Promise<KnowledgeHit[]>;
}
