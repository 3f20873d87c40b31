import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * FeedMe (seed 003): transcripts, the Q&A examples extracted from them (with a pgvector embedding
 * under an HNSW index, and a generated tsvector for the keyword half of hybrid search), every
 * version of every example, and the other transcripts a merged near-duplicate also came from.
 *
 * The dimension is EMBEDDING_DIMENSIONS (src/core/llm/embedding-dimensions.ts): changing it means
 * a new migration that re-creates the column and its index.
 */
export class FeedMe1795390000000 implements MigrationInterface {
  name = 'FeedMe1795390000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE feedme_conversations (
        id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id                    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        title                       text NOT NULL,
        file_id                     uuid REFERENCES stored_files (id) ON DELETE SET NULL,
        original_filename           text NOT NULL,
        file_size                   integer NOT NULL,
        source_format               text NOT NULL,
        transcript                  text NOT NULL,
        transcript_html             text,
        turn_count                  integer NOT NULL DEFAULT 0,
        source_tags                 text[] NOT NULL DEFAULT '{}',
        auto_process                boolean NOT NULL DEFAULT true,
        processing_mode             text NOT NULL CHECK (processing_mode IN ('async', 'sync')),
        generation                  integer NOT NULL DEFAULT 1,
        examples_extracted          integer NOT NULL DEFAULT 0,
        examples_merged             integer NOT NULL DEFAULT 0,
        processing_status           text NOT NULL DEFAULT 'pending',
        processing_error            text,
        processing_step             text,
        processing_started_at       timestamptz,
        processing_completed_at     timestamptz,
        processing_progress_done    integer,
        processing_progress_total   integer,
        created_at                  timestamptz NOT NULL DEFAULT now(),
        updated_at                  timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX feedme_conversations_owner_idx ON feedme_conversations (owner_id, created_at DESC)`,
    );
    await db.query(
      `CREATE INDEX feedme_conversations_status_idx ON feedme_conversations (processing_status)`,
    );

    await db.query(`
      CREATE TABLE feedme_examples (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        conversation_id   uuid NOT NULL REFERENCES feedme_conversations (id) ON DELETE CASCADE,
        generation        integer NOT NULL,
        position          integer NOT NULL,
        question          text NOT NULL,
        answer            text NOT NULL,
        context           text NOT NULL DEFAULT '',
        tags              text[] NOT NULL DEFAULT '{}',
        confidence        real NOT NULL,
        quality_score     real NOT NULL,
        quality_reasons   jsonb NOT NULL DEFAULT '[]',
        low_quality       boolean NOT NULL DEFAULT false,
        review_status     text NOT NULL DEFAULT 'pending'
                            CHECK (review_status IN ('pending', 'approved', 'rejected')),
        version           integer NOT NULL DEFAULT 1,
        usage_count       integer NOT NULL DEFAULT 0,
        last_used_at      timestamptz,
        embedding         vector(1536),
        embedding_model   text,
        search_text       tsvector GENERATED ALWAYS AS (
                            setweight(to_tsvector('english', question), 'A') ||
                            setweight(to_tsvector('english', answer), 'B')) STORED,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (conversation_id, generation, position)
      )`);
    await db.query(
      `CREATE INDEX feedme_examples_conversation_idx ON feedme_examples (conversation_id, position)`,
    );
    await db.query(`CREATE INDEX feedme_examples_owner_idx ON feedme_examples (owner_id)`);
    await db.query(
      `CREATE INDEX feedme_examples_embedding_idx ON feedme_examples
         USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
    );
    await db.query(
      `CREATE INDEX feedme_examples_search_text_idx ON feedme_examples USING gin (search_text)`,
    );
    await db.query(`CREATE INDEX feedme_examples_tags_idx ON feedme_examples USING gin (tags)`);

    await db.query(`
      CREATE TABLE feedme_example_versions (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        example_id      uuid NOT NULL REFERENCES feedme_examples (id) ON DELETE CASCADE,
        version         integer NOT NULL,
        question        text NOT NULL,
        answer          text NOT NULL,
        context         text NOT NULL,
        tags            text[] NOT NULL,
        changed_fields  text[] NOT NULL DEFAULT '{}',
        change_kind     text NOT NULL CHECK (change_kind IN ('extracted', 'edit', 'rollback')),
        change_note     text,
        rolled_back_to  integer,
        changed_by      uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (example_id, version)
      )`);

    // A near-duplicate found in another transcript is not stored twice: the example keeps one row
    // per further transcript it came from, and its source count is 1 + those rows.
    await db.query(`
      CREATE TABLE feedme_example_sources (
        example_id       uuid NOT NULL REFERENCES feedme_examples (id) ON DELETE CASCADE,
        conversation_id  uuid NOT NULL REFERENCES feedme_conversations (id) ON DELETE CASCADE,
        similarity       real NOT NULL,
        question         text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (example_id, conversation_id)
      )`);
    await db.query(
      `CREATE INDEX feedme_example_sources_conversation_idx ON feedme_example_sources (conversation_id)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS feedme_example_sources`);
    await db.query(`DROP TABLE IF EXISTS feedme_example_versions`);
    await db.query(`DROP TABLE IF EXISTS feedme_examples`);
    await db.query(`DROP TABLE IF EXISTS feedme_conversations`);
  }
}
