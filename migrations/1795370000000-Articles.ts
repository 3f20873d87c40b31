import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Articles (seed 001): product specifications, the cost indices a cost model may use (seeded with
 * a realistic default set), and each article's cost model as one row per index.
 */
export class Articles1795370000000 implements MigrationInterface {
  name = 'Articles1795370000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE cost_indices (
        id           serial PRIMARY KEY,
        code         text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]*$'),
        name         text NOT NULL,
        description  text,
        active       boolean NOT NULL DEFAULT true,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      INSERT INTO cost_indices (code, name, description) VALUES
        ('steel', 'Steel', 'Carbon steel: sheet, bar, castings and forgings'),
        ('stainless-steel', 'Stainless steel', 'Stainless steel grades (304, 316...)'),
        ('aluminium', 'Aluminium', 'Aluminium ingot, extrusions and sheet'),
        ('copper', 'Copper', 'Copper and copper alloys (brass, bronze), wire and cable'),
        ('plastics', 'Plastics', 'Thermoplastic and thermoset resins (PP, PE, ABS, PA, PVC...)'),
        ('rubber', 'Rubber', 'Natural and synthetic rubber, silicone, seals and gaskets'),
        ('electronics', 'Electronics', 'Electronic components: PCBs, chips, sensors, motors'),
        ('labour', 'Labour', 'Manufacturing and assembly labour'),
        ('energy', 'Energy', 'Electricity and gas used in production'),
        ('transport', 'Transport', 'Freight and logistics'),
        ('packaging', 'Packaging', 'Cardboard, paper and packaging materials')`);

    await db.query(`
      CREATE TABLE articles (
        id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id                    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        article_name                text NOT NULL,
        description                 text,
        specification_file_id       uuid REFERENCES stored_files (id) ON DELETE SET NULL,
        specification_file_name     text NOT NULL,
        specification_kind          text NOT NULL,
        drawing_file_id             uuid REFERENCES stored_files (id) ON DELETE SET NULL,
        drawing_file_name           text,
        drawing_kind                text,
        run                         integer NOT NULL DEFAULT 1,
        unit_weight                 double precision CHECK (unit_weight > 0),
        unit_weight_reported_grams  double precision,
        weight_review               text,
        metadata_error              text,
        metadata_done_at            timestamptz,
        specification_chars         integer,
        specification_chars_sent    integer,
        weight_provider             text,
        cost_model_offered          jsonb,
        cost_model_adjustments      jsonb NOT NULL DEFAULT '[]',
        cost_model_provider         text,
        cost_model_model            text,
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
    await db.query(`CREATE INDEX articles_owner_idx ON articles (owner_id, created_at DESC)`);
    await db.query(`CREATE INDEX articles_status_idx ON articles (processing_status)`);

    await db.query(`
      CREATE TABLE article_cost_models (
        article_id  uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        index_id    integer NOT NULL REFERENCES cost_indices (id),
        part        double precision NOT NULL CHECK (part > 0 AND part <= 1),
        position    integer NOT NULL,
        PRIMARY KEY (article_id, index_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE article_cost_models`);
    await db.query(`DROP TABLE articles`);
    await db.query(`DROP TABLE cost_indices`);
  }
}
