import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type RowStatus = 'pending' | 'done' | 'failed';

export interface NewRow {
  rowIndex: number;
  rowNumber: number;
  cells: string[];
}

export interface PendingRow {
  rowIndex: number;
  rowNumber: number;
  cells: string[];
}

/** One row's outcome, written only if the row is still pending in this version. */
export interface RowResult {
  jobId: string;
  version: number;
  rowIndex: number;
  status: 'done' | 'failed';
  email: string | null;
  verdict: string | null;
  model: string | null;
  provider: string | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  error: string | null;
  /** Provider requests this outcome took (re-ask and retries included). */
  attempts: number;
}

/** A stored result, with its job's counters right after the statement that stored it. */
export interface RecordedRow {
  jobId: string;
  rowIndex: number;
  doneCount: number;
  failedCount: number;
  rowCount: number;
  costUsd: number;
  budgetUsd: number | null;
}

export interface ResultRow {
  rowIndex: number;
  rowNumber: number;
  cells: string[];
  status: RowStatus;
  email: string | null;
  checkVerdict: string | null;
  model: string | null;
  error: string | null;
  attempts: number;
  costUsd: number | null;
  finishedAt: Date | null;
}

const INSERT_CHUNK = 1000;

function returned<T>(result: unknown): T[] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0])
    ? (result[0] as T[])
    : (result as T[]);
}

/**
 * The rows ledger in plain SQL. Hot paths are one statement per batch (DESIGN.md 2: the embedded
 * database does ~800 single-row statements a second but tens of thousands of rows a second in
 * one multi-row statement), and every result write is guarded by (version, status = 'pending'),
 * so a second run of the same queue job, or a job of an older version, changes nothing.
 */
@Injectable()
export class EmailRowsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insertRows(manager: EntityManager, jobId: string, rows: readonly NewRow[]) {
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const chunk = rows.slice(start, start + INSERT_CHUNK);
      await manager.query(
        `INSERT INTO email_rows (job_id, row_index, row_number, cells)
         SELECT $1, * FROM unnest($2::int[], $3::int[], $4::jsonb[])`,
        [
          jobId,
          chunk.map((r) => r.rowIndex),
          chunk.map((r) => r.rowNumber),
          chunk.map((r) => JSON.stringify(r.cells)),
        ],
      );
    }
  }

  /** The pending rows of one queue job's range, in order. */
  pendingRows(
    jobId: string,
    version: number,
    firstRow: number,
    endRow: number,
  ): Promise<PendingRow[]> {
    return this.db.query(
      `SELECT row_index AS "rowIndex", row_number AS "rowNumber", cells FROM email_rows
        WHERE job_id = $1 AND version = $2 AND status = 'pending'
          AND row_index >= $3 AND row_index < $4
        ORDER BY row_index`,
      [jobId, version, firstRow, endRow],
    );
  }

  /** The first row of every batch range that still has a pending row. */
  async pendingRanges(jobId: string, version: number, batchSize: number): Promise<number[]> {
    const rows: { first: number }[] = await this.db.query(
      `SELECT DISTINCT (row_index / $3) * $3 AS first FROM email_rows
        WHERE job_id = $1 AND version = $2 AND status = 'pending' ORDER BY first`,
      [jobId, version, batchSize],
    );
    return rows.map((row) => Number(row.first));
  }

  /**
   * Stores results and moves the job's counters in one statement; returns the rows it stored
   * (a row already written, or of another version, is not among them).
   */
  async recordResults(items: readonly RowResult[]): Promise<RecordedRow[]> {
    if (items.length === 0) return [];
    return returned<RecordedRow>(
      await this.db.query(
        `WITH i AS (
           SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[],
                                $7::text[], $8::text[], $9::int[], $10::int[], $11::numeric[],
                                $12::text[], $13::int[])
             AS i(job_id, version, row_index, status, email, verdict, model, provider,
                  prompt_tokens, completion_tokens, cost_usd, error, attempts)),
         moved AS (
           UPDATE email_rows r
              SET status = i.status, email = i.email, check_verdict = i.verdict, model = i.model,
                  provider = i.provider, prompt_tokens = i.prompt_tokens,
                  completion_tokens = i.completion_tokens, cost_usd = i.cost_usd, error = i.error,
                  attempts = r.attempts + i.attempts, finished_at = now()
             FROM i
            WHERE r.job_id = i.job_id AND r.row_index = i.row_index AND r.version = i.version
              AND r.status = 'pending'
           RETURNING r.job_id, r.row_index, r.status, r.prompt_tokens, r.completion_tokens, r.cost_usd),
         totals AS (
           SELECT job_id,
                  count(*) FILTER (WHERE status = 'done')::int AS done,
                  count(*) FILTER (WHERE status = 'failed')::int AS failed,
                  coalesce(sum(prompt_tokens), 0) AS pt,
                  coalesce(sum(completion_tokens), 0) AS ct,
                  coalesce(sum(cost_usd), 0) AS cost
             FROM moved GROUP BY job_id),
         bumped AS (
           UPDATE email_jobs j
              SET done_count = j.done_count + t.done, failed_count = j.failed_count + t.failed,
                  prompt_tokens = j.prompt_tokens + t.pt,
                  completion_tokens = j.completion_tokens + t.ct, cost_usd = j.cost_usd + t.cost
             FROM totals t WHERE j.id = t.job_id
           RETURNING j.id, j.done_count, j.failed_count, j.row_count, j.cost_usd, j.budget_usd)
         SELECT m.job_id AS "jobId", m.row_index AS "rowIndex", b.done_count AS "doneCount",
                b.failed_count AS "failedCount", b.row_count AS "rowCount",
                b.cost_usd::float8 AS "costUsd", b.budget_usd::float8 AS "budgetUsd"
           FROM moved m JOIN bumped b ON b.id = m.job_id`,
        [
          items.map((r) => r.jobId),
          items.map((r) => r.version),
          items.map((r) => r.rowIndex),
          items.map((r) => r.status),
          items.map((r) => r.email),
          items.map((r) => r.verdict),
          items.map((r) => r.model),
          items.map((r) => r.provider),
          items.map((r) => r.promptTokens),
          items.map((r) => r.completionTokens),
          items.map((r) => r.costUsd),
          items.map((r) => r.error),
          items.map((r) => r.attempts),
        ],
      ),
    );
  }

  /** Failed rows back to pending (same version). Returns how many. */
  async resetFailed(jobId: string): Promise<number> {
    const rows = returned<unknown>(
      await this.db.query(
        `UPDATE email_rows SET status = 'pending', error = NULL, finished_at = NULL
          WHERE job_id = $1 AND status = 'failed' RETURNING row_index`,
        [jobId],
      ),
    );
    return rows.length;
  }

  /**
   * A new template version: the current results are kept in email_row_versions, then every row is
   * pending again in `version`.
   */
  async startVersion(jobId: string, previous: number, template: string, version: number) {
    await this.db.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO email_row_versions (job_id, version, row_index, template, status, email, check_verdict, model, error)
         SELECT job_id, $2, row_index, $3, status, email, check_verdict, model, error
           FROM email_rows WHERE job_id = $1
         ON CONFLICT DO NOTHING`,
        [jobId, previous, template],
      );
      await manager.query(
        `UPDATE email_rows
            SET status = 'pending', version = $2, email = NULL, check_verdict = NULL, model = NULL,
                provider = NULL, prompt_tokens = NULL, completion_tokens = NULL, cost_usd = NULL,
                error = NULL, finished_at = NULL, attempts = 0
          WHERE job_id = $1`,
        [jobId, version],
      );
    });
  }

  /** Template versions with stored results, newest first, with how many emails each has. */
  versions(jobId: string): Promise<{ version: number; template: string; emails: number }[]> {
    return this.db.query(
      `SELECT version, min(template) AS template, count(email)::int AS emails
         FROM email_row_versions WHERE job_id = $1 GROUP BY version ORDER BY version DESC`,
      [jobId],
    );
  }

  firstRows(jobId: string, limit: number): Promise<PendingRow[]> {
    return this.db.query(
      `SELECT row_index AS "rowIndex", row_number AS "rowNumber", cells FROM email_rows
        WHERE job_id = $1 ORDER BY row_index LIMIT $2`,
      [jobId, limit],
    );
  }

  /** Rows with their results, for the API and pages (optionally of one status). */
  listRows(
    jobId: string,
    status: RowStatus | null,
    limit: number,
    offset: number,
  ): Promise<ResultRow[]> {
    return this.db.query(
      `${RESULT_SELECT} WHERE job_id = $1 AND ($2::text IS NULL OR status = $2)
        ORDER BY row_index LIMIT $3 OFFSET $4`,
      [jobId, status, limit, offset],
    );
  }

  /** The latest emails written, for the page. */
  latestEmails(jobId: string, limit: number): Promise<ResultRow[]> {
    return this.db.query(
      `${RESULT_SELECT} WHERE job_id = $1 AND status = 'done'
        ORDER BY finished_at DESC, row_index LIMIT $2`,
      [jobId, limit],
    );
  }

  /** Every row in sheet order, a page at a time (keyset), for downloads. */
  async *resultRows(jobId: string, pageSize = 2000): AsyncGenerator<ResultRow> {
    let after = -1;
    for (;;) {
      const page: ResultRow[] = await this.db.query(
        `${RESULT_SELECT} WHERE job_id = $1 AND row_index > $2 ORDER BY row_index LIMIT $3`,
        [jobId, after, pageSize],
      );
      yield* page;
      if (page.length < pageSize) return;
      after = page[page.length - 1].rowIndex;
    }
  }
}

const RESULT_SELECT = `SELECT row_index AS "rowIndex", row_number AS "rowNumber", cells, status, email,
       check_verdict AS "checkVerdict", model, error, attempts, cost_usd::float8 AS "costUsd",
       finished_at AS "finishedAt"
  FROM email_rows`;
