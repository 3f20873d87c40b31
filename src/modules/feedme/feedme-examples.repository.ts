import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { OwnedRepository, type Owner } from '../../core/auth/owner-scope.js';
import { EMBEDDING_DIMENSIONS } from '../../core/llm/embedding-dimensions.js';
import {
  FeedmeExampleVersion,
  type VersionChangeKind,
} from './entities/feedme-example-version.entity.js';
import { FeedmeExample, type QualityReason } from './entities/feedme-example.entity.js';

/** pgvector's text form: '[0.1,0.2,...]'. */
export function toVectorLiteral(vector: readonly number[]): string {
  if (vector.length !== EMBEDDING_DIMENSIONS)
    throw new Error(
      `an embedding has ${vector.length} dimensions, the column ${EMBEDDING_DIMENSIONS}`,
    );
  return `[${vector.join(',')}]`;
}

export interface NewExample {
  conversationId: string;
  ownerId: string;
  generation: number;
  position: number;
  question: string;
  answer: string;
  context: string;
  tags: string[];
  confidence: number;
  qualityScore: number;
  qualityReasons: QualityReason[];
  lowQuality: boolean;
  embedding: number[];
  embeddingModel: string;
}

/** A further transcript an example came from (a merged near-duplicate). */
export interface ExampleSource {
  exampleId: string;
  conversationId: string;
  similarity: number;
  question: string;
}

export interface DuplicateMatch {
  exampleId: string;
  similarity: number;
}

export interface SimilarityQuery {
  owner: Owner;
  vector: number[];
  /** OR of the query's words, for the keyword half ('' to skip it). */
  keywordQuery: string;
  /** Candidates taken from each of the vector index and the keyword index. */
  candidates: number;
  tags?: string[];
  conversationIds?: string[];
  includeLowQuality: boolean;
}

/** What responses show of an example (the stored row without its bookkeeping columns). */
export type ExampleFields = Pick<
  FeedmeExample,
  | 'id'
  | 'conversationId'
  | 'question'
  | 'answer'
  | 'context'
  | 'tags'
  | 'confidence'
  | 'qualityScore'
  | 'qualityReasons'
  | 'lowQuality'
  | 'reviewStatus'
  | 'version'
  | 'usageCount'
  | 'lastUsedAt'
  | 'createdAt'
  | 'updatedAt'
>;

export interface SimilarityRow extends ExampleFields {
  conversationTitle: string;
  sourceCount: number;
  semantic: number;
  keyword: number;
}

export interface ExampleContent {
  question: string;
  answer: string;
  context: string;
  tags: string[];
}

/** Examples of an owner, with the SQL that needs their vector and tsvector columns. */
@Injectable()
export class FeedmeExamplesRepository extends OwnedRepository<FeedmeExample> {
  constructor(
    @InjectRepository(FeedmeExample) private readonly examples: Repository<FeedmeExample>,
    @InjectRepository(FeedmeExampleVersion)
    private readonly versions: Repository<FeedmeExampleVersion>,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    super(examples, 'Example');
  }

  get entities(): Repository<FeedmeExample> {
    return this.examples;
  }

  /** A fresh run of a conversation starts from nothing: its examples (and versions), its merges. */
  async deleteForConversation(conversationId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`DELETE FROM feedme_example_sources WHERE conversation_id = $1`, [
        conversationId,
      ]);
      await m.query(`DELETE FROM feedme_examples WHERE conversation_id = $1`, [conversationId]);
    });
  }

  /**
   * The owner's closest stored example to each vector, if at least `threshold` similar (cosine), in
   * one statement (once per batch of new examples). The planner may answer it from the HNSW
   * index, which is approximate: a near-duplicate it misses is stored as a second example, which
   * costs a little space and nothing else.
   */
  async nearestDuplicates(
    ownerId: string,
    vectors: number[][],
    threshold: number,
  ): Promise<(DuplicateMatch | undefined)[]> {
    if (vectors.length === 0) return [];
    const rows: { i: number; id: string; similarity: number }[] = await this.db.query(
      `SELECT q.i, best.id, best.similarity
         FROM unnest($2::text[]) WITH ORDINALITY AS q(v, i)
         CROSS JOIN LATERAL (
           SELECT e.id, 1 - (e.embedding <=> q.v::vector) AS similarity
             FROM feedme_examples e
            WHERE e.owner_id = $1 AND e.embedding IS NOT NULL
            ORDER BY e.embedding <=> q.v::vector
            LIMIT 1) best
        WHERE best.similarity >= $3`,
      [ownerId, vectors.map(toVectorLiteral), threshold],
    );
    const found = new Map(
      rows.map((r) => [Number(r.i) - 1, { exampleId: r.id, similarity: Number(r.similarity) }]),
    );
    return vectors.map((_, i) => found.get(i));
  }

  /** One batch of new examples and their version 1, in one transaction (nothing half-written). */
  async insertBatch(rows: readonly NewExample[]): Promise<string[]> {
    if (rows.length === 0) return [];
    return this.db.transaction(async (m) => {
      const params: unknown[] = [];
      const values = rows.map((row) => {
        const p = (value: unknown) => {
          params.push(value);
          return `$${params.length}`;
        };
        return `(${p(row.ownerId)}::uuid, ${p(row.conversationId)}::uuid, ${p(row.generation)}::int, ${p(row.position)}::int,
          ${p(row.question)}, ${p(row.answer)}, ${p(row.context)}, ${p(row.tags)}::text[], ${p(row.confidence)}::real,
          ${p(row.qualityScore)}::real, ${p(JSON.stringify(row.qualityReasons))}::jsonb, ${p(row.lowQuality)}::boolean,
          ${p(toVectorLiteral(row.embedding))}::vector, ${p(row.embeddingModel)})`;
      });
      const inserted: { id: string }[] = await m.query(
        `INSERT INTO feedme_examples (owner_id, conversation_id, generation, position, question, answer,
                context, tags, confidence, quality_score, quality_reasons, low_quality, embedding, embedding_model)
         VALUES ${values.join(',\n')}
         ON CONFLICT (conversation_id, generation, position) DO NOTHING
         RETURNING id`,
        params,
      );
      await m.query(
        `INSERT INTO feedme_example_versions (example_id, version, question, answer, context, tags, change_kind)
         SELECT id, 1, question, answer, context, tags, 'extracted' FROM feedme_examples WHERE id = ANY($1::uuid[])`,
        [inserted.map((r) => r.id)],
      );
      return inserted.map((r) => r.id);
    });
  }

  /** Another transcript said the same thing: counted as a further source of the stored example. */
  async recordSources(
    merges: readonly {
      exampleId: string;
      conversationId: string;
      similarity: number;
      question: string;
    }[],
  ): Promise<void> {
    if (merges.length === 0) return;
    await this.db.query(
      `INSERT INTO feedme_example_sources (example_id, conversation_id, similarity, question)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::real[], $4::text[])
       ON CONFLICT (example_id, conversation_id) DO NOTHING`,
      [
        merges.map((m) => m.exampleId),
        merges.map((m) => m.conversationId),
        merges.map((m) => m.similarity),
        merges.map((m) => m.question),
      ],
    );
  }

  /**
   * Hybrid candidates: the nearest by the HNSW index and the best keyword matches (each up to
   * `candidates`), with both scores. The caller combines, thresholds and cuts to top K. The index
   * scan is iterative (pgvector 0.8), so owner and tag filters do not starve it of rows.
   */
  async searchSimilar(query: SimilarityQuery): Promise<SimilarityRow[]> {
    const filters = [
      `e.owner_id = $2`,
      `e.review_status <> 'rejected'`,
      query.includeLowQuality ? 'TRUE' : `(NOT e.low_quality OR e.review_status = 'approved')`,
      `($4::text[] IS NULL OR e.tags && $4::text[])`,
      `($5::uuid[] IS NULL OR e.conversation_id = ANY($5::uuid[]))`,
    ].join(' AND ');
    const keyword = query.keywordQuery
      ? `UNION
         (SELECT e.id FROM feedme_examples e
           WHERE ${filters} AND e.search_text @@ to_tsquery('english', $6)
           ORDER BY ts_rank_cd(e.search_text, to_tsquery('english', $6), 32) DESC
           LIMIT $3)`
      : '';
    const keywordScore = query.keywordQuery
      ? `ts_rank_cd(e.search_text, to_tsquery('english', $6), 32)`
      : '0';
    const params: unknown[] = [
      toVectorLiteral(query.vector),
      query.owner.id,
      query.candidates,
      query.tags?.length ? query.tags : null,
      query.conversationIds?.length ? query.conversationIds : null,
    ];
    if (query.keywordQuery) params.push(query.keywordQuery);
    return this.db.transaction(async (m) => {
      await m.query(`SET LOCAL hnsw.ef_search = ${Math.max(40, Math.min(1000, query.candidates))}`);
      await m.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      const rows: SimilarityRow[] = await m.query(
        `WITH candidates AS (
           (SELECT e.id FROM feedme_examples e
             WHERE ${filters} AND e.embedding IS NOT NULL
             ORDER BY e.embedding <=> $1::vector
             LIMIT $3)
           ${keyword})
         SELECT e.id, e.conversation_id AS "conversationId", c.title AS "conversationTitle",
                e.question, e.answer, e.context, e.tags, e.confidence, e.quality_score AS "qualityScore",
                e.quality_reasons AS "qualityReasons", e.low_quality AS "lowQuality",
                e.review_status AS "reviewStatus", e.version, e.usage_count AS "usageCount",
                e.last_used_at AS "lastUsedAt", e.created_at AS "createdAt", e.updated_at AS "updatedAt",
                1 + (SELECT count(*) FROM feedme_example_sources s
                      WHERE s.example_id = e.id AND s.conversation_id <> e.conversation_id)::int AS "sourceCount",
                CASE WHEN e.embedding IS NULL THEN 0 ELSE 1 - (e.embedding <=> $1::vector) END AS semantic,
                ${keywordScore} AS keyword
           FROM feedme_examples e
           JOIN feedme_conversations c ON c.id = e.conversation_id
          WHERE e.id IN (SELECT id FROM candidates)`,
        params,
      );
      return rows.map((r) => ({ ...r, semantic: Number(r.semantic), keyword: Number(r.keyword) }));
    });
  }

  /** Usage tracking: how often, and when last, a search returned each example. */
  async recordUsage(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE feedme_examples SET usage_count = usage_count + 1, last_used_at = now() WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  listForConversation(conversationId: string): Promise<FeedmeExample[]> {
    return this.examples.find({ where: { conversationId }, order: { position: 'ASC' } });
  }

  async sourceCounts(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; n: number }[] = await this.db.query(
      `SELECT e.id, 1 + count(s.example_id)::int AS n
         FROM feedme_examples e
         LEFT JOIN feedme_example_sources s ON s.example_id = e.id AND s.conversation_id <> e.conversation_id
        WHERE e.id = ANY($1::uuid[]) GROUP BY e.id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  listVersions(exampleId: string): Promise<FeedmeExampleVersion[]> {
    return this.versions.find({ where: { exampleId }, order: { version: 'DESC' } });
  }

  findVersion(exampleId: string, version: number): Promise<FeedmeExampleVersion | null> {
    return this.versions.findOneBy({ exampleId, version });
  }

  /**
   * Writes new content and its version row, and the new embedding, together. The version must
   * still be `expectedVersion` (two editors at once: the second gets a conflict, not a lost edit).
   */
  async writeVersion(
    example: FeedmeExample,
    content: ExampleContent,
    change: {
      kind: VersionChangeKind;
      changedFields: string[];
      note: string | null;
      rolledBackTo: number | null;
      by: string;
      embedding: number[];
      embeddingModel: string;
    },
  ): Promise<number | null> {
    return this.db.transaction(async (m: EntityManager) => {
      const next = example.version + 1;
      // TypeORM answers an UPDATE with [rows, affected].
      const [updated] = (await m.query(
        `UPDATE feedme_examples
            SET question = $3, answer = $4, context = $5, tags = $6::text[], version = $7,
                embedding = $8::vector, embedding_model = $9, updated_at = now()
          WHERE id = $1 AND version = $2
          RETURNING id`,
        [
          example.id,
          example.version,
          content.question,
          content.answer,
          content.context,
          content.tags,
          next,
          toVectorLiteral(change.embedding),
          change.embeddingModel,
        ],
      )) as [unknown[], number];
      if (updated.length === 0) return null;
      await m.query(
        `INSERT INTO feedme_example_versions (example_id, version, question, answer, context, tags,
                changed_fields, change_kind, change_note, rolled_back_to, changed_by)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9, $10, $11)`,
        [
          example.id,
          next,
          content.question,
          content.answer,
          content.context,
          content.tags,
          change.changedFields,
          change.kind,
          change.note,
          change.rolledBackTo,
          change.by,
        ],
      );
      return next;
    });
  }
}
