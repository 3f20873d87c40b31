import type { MigrationInterface, QueryRunner } from 'typeorm';

/** pgvector, and the files table that uploads of every module and the housekeeping job share. */
export class Platform1795320000000 implements MigrationInterface {
  name = 'Platform1795320000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await db.query(`
      CREATE TABLE stored_files (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id      uuid,
        purpose       text NOT NULL,
        storage_path  text NOT NULL UNIQUE,
        original_name text NOT NULL,
        media_type    text NOT NULL,
        size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
        sha256        char(64) NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz
      )`);
    await db.query(
      `CREATE INDEX stored_files_owner_idx ON stored_files (owner_id, created_at DESC)`,
    );
    await db.query(
      `CREATE INDEX stored_files_expiry_idx ON stored_files (expires_at) WHERE expires_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stored_files`);
    await db.query(`DROP EXTENSION IF EXISTS vector`);
  }
}
