import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploads (seed 000): a company list, its rows, the websites found in them, and the scrapes those
 * websites got. Scrapes are shared across uploads (a cache keyed by URL), so they have no owner;
 * they are reached only through an owned upload's websites.
 */
export class Uploads1795380000000 implements MigrationInterface {
  name = 'Uploads1795380000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE uploads (
        id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id                    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        file_id                     uuid REFERENCES stored_files (id) ON DELETE SET NULL,
        file_name                   text NOT NULL,
        file_format                 text NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
        generation                  integer NOT NULL DEFAULT 1,
        headers                     jsonb NOT NULL DEFAULT '[]',
        website_column              text,
        template                    text NOT NULL,
        offer                       text,
        row_count                   integer,
        rows_without_website        integer,
        extracted_at                timestamptz,
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
    await db.query(`CREATE INDEX uploads_owner_idx ON uploads (owner_id, created_at DESC)`);
    await db.query(`CREATE INDEX uploads_status_idx ON uploads (processing_status)`);

    await db.query(`
      CREATE TABLE scrapes (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url           text NOT NULL,
        final_url     text,
        outcome       text NOT NULL CHECK (outcome IN ('ok', 'http_error', 'timeout',
                        'blocked_by_robots', 'not_html', 'too_large', 'dns_error', 'refused_private')),
        http_status   integer,
        detail        text,
        content_type  text,
        bytes         integer,
        title         text,
        description   text,
        headings      jsonb NOT NULL DEFAULT '[]',
        text          text NOT NULL DEFAULT '',
        emails        jsonb NOT NULL DEFAULT '[]',
        social_links  jsonb NOT NULL DEFAULT '[]',
        pages         jsonb NOT NULL DEFAULT '[]',
        cacheable     boolean NOT NULL,
        duration_ms   integer NOT NULL DEFAULT 0,
        fetched_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX scrapes_url_idx ON scrapes (url, fetched_at DESC)`);

    await db.query(`
      CREATE TABLE upload_websites (
        id                uuid PRIMARY KEY,
        upload_id         uuid NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
        position          integer NOT NULL,
        url               text NOT NULL,
        host              text NOT NULL,
        dedupe_key        text NOT NULL,
        source            text NOT NULL CHECK (source IN ('column', 'cell', 'email')),
        source_column     text NOT NULL,
        first_row         integer NOT NULL,
        row_count         integer NOT NULL DEFAULT 1,
        status            text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'scraped', 'done', 'failed')),
        run               integer NOT NULL DEFAULT 1,
        refresh           boolean NOT NULL DEFAULT false,
        scrape_id         uuid REFERENCES scrapes (id) ON DELETE SET NULL,
        outcome           text,
        outcome_detail    text,
        title             text,
        from_cache        boolean,
        scraped_at        timestamptz,
        message           text,
        message_basis     text CHECK (message_basis IN ('website', 'row-fields')),
        message_note      text,
        message_snippets  jsonb,
        message_model     text,
        message_provider  text,
        message_at        timestamptz,
        error             text,
        CONSTRAINT upload_websites_dedupe_key UNIQUE (upload_id, dedupe_key)
      )`);
    await db.query(
      `CREATE INDEX upload_websites_upload_idx ON upload_websites (upload_id, position)`,
    );
    await db.query(
      `CREATE INDEX upload_websites_open_idx ON upload_websites (upload_id, status)
         WHERE status IN ('pending', 'scraped')`,
    );
    await db.query(`CREATE INDEX upload_websites_scrape_idx ON upload_websites (scrape_id)`);

    await db.query(`
      CREATE TABLE upload_rows (
        upload_id          uuid NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
        row_index          integer NOT NULL,
        row_number         integer NOT NULL,
        cells              jsonb NOT NULL,
        website_id         uuid REFERENCES upload_websites (id) ON DELETE SET NULL,
        website_source     text,
        no_website_reason  text,
        PRIMARY KEY (upload_id, row_index)
      )`);
    await db.query(`CREATE INDEX upload_rows_website_idx ON upload_rows (website_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE upload_rows`);
    await db.query(`DROP TABLE upload_websites`);
    await db.query(`DROP TABLE scrapes`);
    await db.query(`DROP TABLE uploads`);
  }
}
