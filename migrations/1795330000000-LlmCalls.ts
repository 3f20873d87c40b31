import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per gateway call (retries and fallbacks included in the row): who it served, what it
 * cost, how it went. No foreign key to users: that table arrives with auth, and an accounting row
 * must outlive the user it was for anyway.
 */
export class LlmCalls1795330000000 implements MigrationInterface {
  name = 'LlmCalls1795330000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE llm_calls (
        id                bigserial PRIMARY KEY,
        created_at        timestamptz NOT NULL DEFAULT now(),
        owner_id          uuid,
        ref_kind          text,
        ref_id            text,
        parent_kind       text,
        parent_id         text,
        task              text NOT NULL,
        operation         text NOT NULL,
        provider          text NOT NULL CHECK (provider IN ('openai', 'offline')),
        model             text NOT NULL,
        key_id            text,
        outcome           text NOT NULL,
        finish_reason     text,
        error             text,
        attempts          integer NOT NULL DEFAULT 1,
        prompt_tokens     integer NOT NULL DEFAULT 0,
        completion_tokens integer NOT NULL DEFAULT 0,
        total_tokens      integer NOT NULL DEFAULT 0,
        tokens_estimated  boolean NOT NULL DEFAULT false,
        cost_usd          numeric(14, 6),
        latency_ms        integer NOT NULL,
        queued_ms         integer NOT NULL DEFAULT 0,
        ttft_ms           integer
      )`);
    await db.query(`CREATE INDEX llm_calls_ref_idx ON llm_calls (ref_kind, ref_id)`);
    await db.query(
      `CREATE INDEX llm_calls_parent_idx ON llm_calls (parent_kind, parent_id) WHERE parent_kind IS NOT NULL`,
    );
    await db.query(`CREATE INDEX llm_calls_owner_idx ON llm_calls (owner_id, created_at DESC)`);
    await db.query(`CREATE INDEX llm_calls_created_idx ON llm_calls (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE llm_calls`);
  }
}
