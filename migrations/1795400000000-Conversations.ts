import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations (seed 004): chatbots and their flows (`flow_template_assignments`, as the seed
 * names it), conversation sessions with their messages, streaming sessions (one per answer) with
 * their durable event log (`streaming_events`, one increasing sequence per streaming session),
 * processing metrics per answer, and an error log for failures with their context.
 */
export class Conversations1795400000000 implements MigrationInterface {
  name = 'Conversations1795400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE chatbots (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        slug           text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        name           text NOT NULL,
        language       text NOT NULL DEFAULT 'english',
        image_enabled  boolean NOT NULL DEFAULT false,
        default_flow   text NOT NULL DEFAULT 'main',
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (owner_id, slug)
      )`);

    await db.query(`
      CREATE TABLE flow_template_assignments (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chatbot_id          uuid NOT NULL REFERENCES chatbots (id) ON DELETE CASCADE,
        flow_key            text NOT NULL CHECK (flow_key ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        position            integer NOT NULL DEFAULT 0,
        description         text,
        prompt_template     text NOT NULL,
        top_k               integer NOT NULL DEFAULT 5 CHECK (top_k BETWEEN 0 AND 50),
        min_score           real,
        model               text,
        api_key             text,
        keywords            text[] NOT NULL DEFAULT '{}',
        execution           text NOT NULL DEFAULT 'parallel' CHECK (execution IN ('parallel', 'sequential')),
        always_run          boolean NOT NULL DEFAULT false,
        vision              boolean NOT NULL DEFAULT false,
        knowledge_base_ids  uuid[],
        UNIQUE (chatbot_id, flow_key)
      )`);

    await db.query(`
      CREATE TABLE conversation_sessions (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        chatbot_id        uuid NOT NULL REFERENCES chatbots (id) ON DELETE CASCADE,
        status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
        title             text NOT NULL DEFAULT '',
        last_activity_at  timestamptz NOT NULL DEFAULT now(),
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX conversation_sessions_owner_idx ON conversation_sessions (owner_id, last_activity_at DESC)`,
    );
    await db.query(
      `CREATE INDEX conversation_sessions_activity_idx ON conversation_sessions (last_activity_at)`,
    );

    await db.query(`
      CREATE TABLE conversation_images (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        session_id  uuid NOT NULL REFERENCES conversation_sessions (id) ON DELETE CASCADE,
        name        text NOT NULL,
        mime        text NOT NULL,
        size_bytes  integer NOT NULL,
        data        bytea NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE streaming_sessions (
        id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id                    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        conversation_session_id     uuid NOT NULL REFERENCES conversation_sessions (id) ON DELETE CASCADE,
        chatbot_id                  uuid NOT NULL REFERENCES chatbots (id) ON DELETE CASCADE,
        message_text                text NOT NULL,
        image_id                    uuid REFERENCES conversation_images (id) ON DELETE SET NULL,
        configuration               jsonb NOT NULL DEFAULT '{}',
        flow_type                   text,
        answer                      text,
        last_sequence               integer NOT NULL DEFAULT 0,
        stop_requested              boolean NOT NULL DEFAULT false,
        -- Refreshed every second by the process writing the answer; a stale one means it died.
        heartbeat_at                timestamptz,
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
      `CREATE INDEX streaming_sessions_conversation_idx ON streaming_sessions (conversation_session_id, created_at)`,
    );
    await db.query(
      `CREATE INDEX streaming_sessions_open_idx ON streaming_sessions (processing_status) WHERE processing_status IN ('pending', 'processing')`,
    );

    // The event log: (streaming session, sequence) is the key, so an event is stored once and a
    // cursor (the last sequence a client has) reads the rest in order from the index.
    await db.query(`
      CREATE TABLE streaming_events (
        streaming_session_id  uuid NOT NULL REFERENCES streaming_sessions (id) ON DELETE CASCADE,
        sequence              integer NOT NULL,
        event                 text NOT NULL CHECK (event IN ('start', 'flow', 'citation', 'token', 'error', 'done')),
        data                  jsonb NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (streaming_session_id, sequence)
      )`);
    await db.query(`CREATE INDEX streaming_events_created_idx ON streaming_events (created_at)`);

    await db.query(`
      CREATE TABLE conversation_messages (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id            uuid NOT NULL REFERENCES conversation_sessions (id) ON DELETE CASCADE,
        streaming_session_id  uuid REFERENCES streaming_sessions (id) ON DELETE SET NULL,
        role                  text NOT NULL CHECK (role IN ('user', 'assistant')),
        content               text NOT NULL,
        flow_type             text,
        citations             jsonb NOT NULL DEFAULT '[]',
        image_id              uuid REFERENCES conversation_images (id) ON DELETE SET NULL,
        created_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX conversation_messages_session_idx ON conversation_messages (session_id, created_at)`,
    );
    await db.query(
      `CREATE UNIQUE INDEX conversation_messages_answer_idx ON conversation_messages (streaming_session_id) WHERE role = 'assistant'`,
    );

    await db.query(`
      CREATE TABLE conversation_processing_metrics (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        streaming_session_id  uuid NOT NULL UNIQUE REFERENCES streaming_sessions (id) ON DELETE CASCADE,
        owner_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        chatbot_id            uuid NOT NULL REFERENCES chatbots (id) ON DELETE CASCADE,
        flow_type             text,
        execution             text NOT NULL CHECK (execution IN ('single', 'parallel', 'sequential', 'mixed')),
        routed_by             text NOT NULL CHECK (routed_by IN ('rules', 'model', 'default', 'request')),
        outcome               text NOT NULL CHECK (outcome IN ('completed', 'failed', 'stopped')),
        routing_ms            integer,
        time_to_first_token_ms integer,
        total_ms              integer NOT NULL,
        tokens                integer NOT NULL DEFAULT 0,
        tokens_per_second     real,
        flows                 jsonb NOT NULL DEFAULT '[]',
        created_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX conversation_metrics_created_idx ON conversation_processing_metrics (created_at DESC)`,
    );

    await db.query(`
      CREATE TABLE conversation_error_logs (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        category              text NOT NULL DEFAULT 'CONVERSATION_PROCESSING_ERROR',
        owner_id              uuid REFERENCES users (id) ON DELETE CASCADE,
        streaming_session_id  uuid REFERENCES streaming_sessions (id) ON DELETE SET NULL,
        message               text NOT NULL,
        stack                 text,
        context               jsonb NOT NULL DEFAULT '{}',
        created_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX conversation_error_logs_created_idx ON conversation_error_logs (created_at DESC)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'conversation_error_logs',
      'conversation_processing_metrics',
      'conversation_messages',
      'streaming_events',
      'streaming_sessions',
      'conversation_images',
      'conversation_sessions',
      'flow_template_assignments',
      'chatbots',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
