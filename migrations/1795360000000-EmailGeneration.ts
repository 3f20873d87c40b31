import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email generation (seed 002): a lead file (email_jobs) and its rows (email_rows), the ledger of
 * every row's email. Rows are written before the upload answers; each result is written the
 * moment it arrives, so a partial download always holds everything generated so far. Results of
 * earlier template versions are kept in email_row_versions.
 */
export class EmailGeneration1795360000000 implements MigrationInterface {
  name = 'EmailGeneration1795360000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE email_jobs (
        id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id                    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        file_id                     uuid REFERENCES stored_files (id) ON DELETE SET NULL,
        file_name                   text NOT NULL,
        file_format                 text NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
        headers                     jsonb NOT NULL DEFAULT '[]',
        column_map                  jsonb NOT NULL DEFAULT '{}',
        template                    text NOT NULL,
        offer                       text,
        sender_role                 text NOT NULL,
        version                     integer NOT NULL DEFAULT 1,
        row_count                   integer NOT NULL DEFAULT 0,
        done_count                  integer NOT NULL DEFAULT 0,
        failed_count                integer NOT NULL DEFAULT 0,
        prompt_tokens               bigint NOT NULL DEFAULT 0,
        completion_tokens           bigint NOT NULL DEFAULT 0,
        cost_usd                    numeric(14, 6) NOT NULL DEFAULT 0,
        estimated_cost_usd          numeric(14, 6),
        budget_usd                  numeric(14, 6),
        pause_reason                text,
        resume_at                   timestamptz,
        queued_at                   timestamptz,
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
    await db.query(`CREATE INDEX email_jobs_owner_idx ON email_jobs (owner_id, created_at DESC)`);
    await db.query(`CREATE INDEX email_jobs_status_idx ON email_jobs (processing_status)`);

    await db.query(`
      CREATE TABLE email_rows (
        job_id             uuid NOT NULL REFERENCES email_jobs (id) ON DELETE CASCADE,
        row_index          integer NOT NULL,
        row_number         integer NOT NULL,
        cells              jsonb NOT NULL,
        status             text NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'done', 'failed')),
        version            integer NOT NULL DEFAULT 1,
        attempts           integer NOT NULL DEFAULT 0,
        email              text,
        check_verdict      text,
        model              text,
        provider           text,
        prompt_tokens      integer,
        completion_tokens  integer,
        cost_usd           numeric(12, 6),
        error              text,
        finished_at        timestamptz,
        PRIMARY KEY (job_id, row_index)
      )`);
    await db.query(
      `CREATE INDEX email_rows_open_idx ON email_rows (job_id, row_index) WHERE status = 'pending'`,
    );
    await db.query(`CREATE INDEX email_rows_finished_idx ON email_rows (job_id, finished_at)`);

    await db.query(`
      CREATE TABLE email_row_versions (
        job_id         uuid NOT NULL REFERENCES email_jobs (id) ON DELETE CASCADE,
        version        integer NOT NULL,
        row_index      integer NOT NULL,
        template       text NOT NULL,
        status         text NOT NULL,
        email          text,
        check_verdict  text,
        model          text,
        error          text,
        PRIMARY KEY (job_id, version, row_index)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE email_row_versions`);
    await db.query(`DROP TABLE email_rows`);
    await db.query(`DROP TABLE email_jobs`);
  }
}
