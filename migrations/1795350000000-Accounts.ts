import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, their API keys (only a SHA-256 of each key is stored, with a short visible prefix for
 * listing) and the page sessions opened by logging in with a key. Module tables reference
 * users(id) through their own owner_id column.
 */
export class Accounts1795350000000 implements MigrationInterface {
  name = 'Accounts1795350000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email      text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
        is_admin   boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email)
      )`);
    await db.query(`
      CREATE TABLE api_keys (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name         text NOT NULL,
        prefix       text NOT NULL,
        key_hash     char(64) NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
    await db.query(`CREATE INDEX api_keys_owner_idx ON api_keys (owner_id, created_at DESC)`);
    await db.query(`
      CREATE TABLE page_sessions (
        id_hash    char(64) PRIMARY KEY,
        user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        api_key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX page_sessions_key_idx ON page_sessions (api_key_id)`);
    await db.query(`CREATE INDEX page_sessions_expiry_idx ON page_sessions (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE page_sessions`);
    await db.query(`DROP TABLE api_keys`);
    await db.query(`DROP TABLE users`);
  }
}
