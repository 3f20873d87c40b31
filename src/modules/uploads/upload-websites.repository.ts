import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ProcessingStatus } from '../../core/processing/processing-status.js';
import type { Heading } from './scraping/page-content.js';
import type { ScrapeOutcome } from './scraping/scrape-outcome.js';
import type { ScrapeRecord } from './scraping/website-scraper.js';
import type { MessageSnippet, WebsiteStatus } from './entities/upload-website.entity.js';
import type { WebsiteSource } from './extraction/website-extractor.js';

export interface NewWebsite {
  id: string;
  uploadId: string;
  position: number;
  url: string;
  host: string;
  dedupeKey: string;
  source: WebsiteSource;
  sourceColumn: string;
  firstRow: number;
}

export interface NewRow {
  uploadId: string;
  rowIndex: number;
  rowNumber: number;
  cells: string[];
  websiteId: string | null;
  websiteSource: string | null;
  noWebsiteReason: string | null;
}

/** What a scrape job needs of its website. */
export interface WebsiteToScrape {
  id: string;
  uploadId: string;
  url: string;
  status: WebsiteStatus;
  run: number;
  refresh: boolean;
  uploadStatus: ProcessingStatus;
}

export interface CachedScrape {
  id: string;
  url: string;
}

export interface ScrapeToRecord {
  websiteId: string;
  run: number;
  /** The scrape this website gets: a new one (record given) or a cached one. */
  scrapeId: string;
  record: ScrapeRecord | null;
}

/** What a message job needs: the website, its scrape, its upload's template and its first row. */
export interface WebsiteToMessage {
  id: string;
  uploadId: string;
  ownerId: string;
  url: string;
  host: string;
  run: number;
  status: WebsiteStatus;
  outcome: ScrapeOutcome | null;
  outcomeDetail: string | null;
  uploadStatus: ProcessingStatus;
  template: string;
  offer: string | null;
  headers: string[];
  cells: string[];
  title: string | null;
  description: string | null;
  headings: Heading[];
  text: string;
}

export interface MessageToRecord {
  websiteId: string;
  run: number;
  message: string;
  basis: 'website' | 'row-fields';
  note: string | null;
  snippets: MessageSnippet[];
  model: string;
  provider: string;
}

export interface StoredResult {
  id: string;
  uploadId: string;
}

/** One row of the results download. */
export interface ResultRow {
  rowIndex: number;
  rowNumber: number;
  cells: string[];
  noWebsiteReason: string | null;
  websiteSource: string | null;
  url: string | null;
  status: WebsiteStatus | null;
  outcome: ScrapeOutcome | null;
  outcomeDetail: string | null;
  title: string | null;
  message: string | null;
  messageBasis: string | null;
  error: string | null;
}

const INSERT_CHUNK = 1000;

/** TypeORM answers UPDATE and DELETE with `[rows, rowCount]`: the RETURNING rows. */
function returned<T>(result: unknown): T[] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0])
    ? (result[0] as T[])
    : (result as T[]);
}

/**
 * The hot paths of the pipeline in plain SQL, each one statement per batch (multi-row INSERT,
 * UPDATE ... FROM unnest), and guarded so a job of an older run, or a second run of the same job,
 * changes nothing: a website moves pending -> scraped -> done exactly once per run.
 */
@Injectable()
export class UploadWebsitesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async deleteForUpload(uploadId: string): Promise<void> {
    await this.db.query(`DELETE FROM upload_rows WHERE upload_id = $1`, [uploadId]);
    await this.db.query(`DELETE FROM upload_websites WHERE upload_id = $1`, [uploadId]);
  }

  async insertWebsites(websites: readonly NewWebsite[]): Promise<void> {
    for (let start = 0; start < websites.length; start += INSERT_CHUNK) {
      const chunk = websites.slice(start, start + INSERT_CHUNK);
      await this.db.query(
        `INSERT INTO upload_websites (id, upload_id, position, url, host, dedupe_key, source, source_column, first_row)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::int[])`,
        [
          chunk.map((w) => w.id),
          chunk.map((w) => w.uploadId),
          chunk.map((w) => w.position),
          chunk.map((w) => w.url),
          chunk.map((w) => w.host),
          chunk.map((w) => w.dedupeKey),
          chunk.map((w) => w.source),
          chunk.map((w) => w.sourceColumn),
          chunk.map((w) => w.firstRow),
        ],
      );
    }
  }

  async insertRows(rows: readonly NewRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const chunk = rows.slice(start, start + INSERT_CHUNK);
      await this.db.query(
        `INSERT INTO upload_rows (upload_id, row_index, row_number, cells, website_id, website_source, no_website_reason)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::jsonb[], $5::uuid[], $6::text[], $7::text[])`,
        [
          chunk.map((r) => r.uploadId),
          chunk.map((r) => r.rowIndex),
          chunk.map((r) => r.rowNumber),
          chunk.map((r) => JSON.stringify(r.cells)),
          chunk.map((r) => r.websiteId),
          chunk.map((r) => r.websiteSource),
          chunk.map((r) => r.noWebsiteReason),
        ],
      );
    }
  }

  /** How many rows name each website, once all rows are in. */
  async countRowsPerWebsite(uploadId: string): Promise<void> {
    await this.db.query(
      `UPDATE upload_websites w SET row_count = c.n
         FROM (SELECT website_id, count(*)::int AS n FROM upload_rows
                WHERE upload_id = $1 AND website_id IS NOT NULL GROUP BY website_id) c
        WHERE w.id = c.website_id`,
      [uploadId],
    );
  }

  async websiteIdsWithStatus(
    uploadId: string | null,
    status: WebsiteStatus,
    uploadStatuses: readonly ProcessingStatus[],
  ): Promise<{ id: string; run: number }[]> {
    return this.db.query(
      `SELECT w.id, w.run FROM upload_websites w JOIN uploads u ON u.id = w.upload_id
        WHERE w.status = $1 AND u.processing_status = ANY($2::text[]) AND u.extracted_at IS NOT NULL
          AND ($3::uuid IS NULL OR w.upload_id = $3)
        ORDER BY w.upload_id, w.position`,
      [status, uploadStatuses, uploadId],
    );
  }

  async loadForScrape(ids: readonly string[]): Promise<WebsiteToScrape[]> {
    return this.db.query(
      `SELECT w.id, w.upload_id AS "uploadId", w.url, w.status, w.run, w.refresh,
              u.processing_status AS "uploadStatus"
         FROM upload_websites w JOIN uploads u ON u.id = w.upload_id
        WHERE w.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** The newest reusable scrape of each URL fetched after `since`. */
  async findFreshScrapes(urls: readonly string[], since: Date): Promise<CachedScrape[]> {
    return this.db.query(
      `SELECT DISTINCT ON (url) id, url FROM scrapes
        WHERE url = ANY($1::text[]) AND cacheable AND fetched_at > $2
        ORDER BY url, fetched_at DESC`,
      [urls, since],
    );
  }

  /**
   * Stores new scrapes and moves their websites to `scraped` in one statement. A website that is
   * no longer pending in this run (already stored, retried, deleted) is left alone: the returned
   * list holds only the websites this call moved.
   */
  async recordScrapes(items: readonly ScrapeToRecord[]): Promise<StoredResult[]> {
    if (items.length === 0) return [];
    const fresh = items.filter((item) => item.record !== null);
    const r = (item: ScrapeToRecord) => item.record!;
    return returned<StoredResult>(
      await this.db.query(
        `WITH inserted AS (
         INSERT INTO scrapes (id, url, final_url, outcome, http_status, detail, content_type, bytes,
                              title, description, headings, text, emails, social_links, pages,
                              cacheable, duration_ms)
         SELECT * FROM unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[],
                              $11::text[], $12::int[], $13::text[], $14::text[], $15::jsonb[],
                              $16::text[], $17::jsonb[], $18::jsonb[], $19::jsonb[], $20::boolean[],
                              $21::int[])
         RETURNING id, outcome, detail, title
       ), scrape AS (
         SELECT id, outcome, detail, title FROM inserted
         UNION ALL
         SELECT id, outcome, detail, title FROM scrapes WHERE id = ANY($3::uuid[])
       ), input AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::boolean[])
                    AS t(website_id, run, scrape_id, from_cache)
       )
       UPDATE upload_websites w
          SET status = 'scraped', scrape_id = s.id, outcome = s.outcome, outcome_detail = s.detail,
              title = s.title, from_cache = i.from_cache, scraped_at = now(), refresh = false
         FROM input i JOIN scrape s ON s.id = i.scrape_id
        WHERE w.id = i.website_id AND w.run = i.run AND w.status = 'pending'
       RETURNING w.id, w.upload_id AS "uploadId"`,
        [
          items.map((item) => item.websiteId),
          items.map((item) => item.run),
          items.map((item) => item.scrapeId),
          items.map((item) => item.record === null),
          fresh.map((item) => item.scrapeId),
          fresh.map((item) => r(item).url),
          fresh.map((item) => r(item).finalUrl),
          fresh.map((item) => r(item).outcome),
          fresh.map((item) => r(item).httpStatus),
          fresh.map((item) => r(item).detail),
          fresh.map((item) => r(item).contentType),
          fresh.map((item) => r(item).bytes),
          fresh.map((item) => r(item).title),
          fresh.map((item) => r(item).description),
          fresh.map((item) => JSON.stringify(r(item).headings)),
          fresh.map((item) => r(item).text),
          fresh.map((item) => JSON.stringify(r(item).emails)),
          fresh.map((item) => JSON.stringify(r(item).socialLinks)),
          fresh.map((item) => JSON.stringify(r(item).pages)),
          fresh.map((item) => r(item).cacheable),
          fresh.map((item) => r(item).durationMs),
        ],
      ),
    );
  }

  async loadForMessage(ids: readonly string[]): Promise<WebsiteToMessage[]> {
    return this.db.query(
      `SELECT w.id, w.upload_id AS "uploadId", u.owner_id AS "ownerId", w.url, w.host, w.run, w.status,
              w.outcome, w.outcome_detail AS "outcomeDetail",
              u.processing_status AS "uploadStatus", u.template, u.offer, u.headers,
              COALESCE(r.cells, '[]'::jsonb) AS cells,
              s.title, s.description, COALESCE(s.headings, '[]'::jsonb) AS headings,
              COALESCE(s.text, '') AS text
         FROM upload_websites w
         JOIN uploads u ON u.id = w.upload_id
         LEFT JOIN scrapes s ON s.id = w.scrape_id
         LEFT JOIN upload_rows r ON r.upload_id = w.upload_id AND r.row_index = w.first_row
        WHERE w.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** Stores messages and moves their websites to `done` (only from `scraped`, in this run). */
  async recordMessages(items: readonly MessageToRecord[]): Promise<StoredResult[]> {
    if (items.length === 0) return [];
    return returned<StoredResult>(
      await this.db.query(
        `UPDATE upload_websites w
          SET status = 'done', message = i.message, message_basis = i.basis, message_note = i.note,
              message_snippets = i.snippets, message_model = i.model, message_provider = i.provider,
              message_at = now(), error = NULL
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                     $7::text[], $8::text[])
              AS i(website_id, run, message, basis, note, snippets, model, provider)
        WHERE w.id = i.website_id AND w.run = i.run AND w.status = 'scraped'
       RETURNING w.id, w.upload_id AS "uploadId"`,
        [
          items.map((item) => item.websiteId),
          items.map((item) => item.run),
          items.map((item) => item.message),
          items.map((item) => item.basis),
          items.map((item) => item.note),
          items.map((item) => JSON.stringify(item.snippets)),
          items.map((item) => item.model),
          items.map((item) => item.provider),
        ],
      ),
    );
  }

  /** A website that could not be processed, with why; only from `from`, in this run. */
  async markFailed(
    websiteId: string,
    run: number,
    from: WebsiteStatus,
    error: string,
  ): Promise<StoredResult | null> {
    const rows = returned<StoredResult>(
      await this.db.query(
        `UPDATE upload_websites SET status = 'failed', error = $4
        WHERE id = $1 AND run = $2 AND status = $3
       RETURNING id, upload_id AS "uploadId"`,
        [websiteId, run, from, error.slice(0, 2000)],
      ),
    );
    return rows[0] ?? null;
  }

  /** Failed websites (scrape outcome not ok, or not processed) go back to pending, scraped afresh. */
  async resetFailed(uploadId: string): Promise<{ id: string; run: number }[]> {
    return returned(
      await this.db.query(
        `UPDATE upload_websites
          SET status = 'pending', run = run + 1, refresh = true, scrape_id = NULL, outcome = NULL,
              outcome_detail = NULL, title = NULL, from_cache = NULL, scraped_at = NULL,
              message = NULL, message_basis = NULL, message_note = NULL, message_snippets = NULL,
              message_model = NULL, message_provider = NULL, message_at = NULL, error = NULL
        WHERE upload_id = $1
          AND ((outcome IS NOT NULL AND outcome <> 'ok') OR status = 'failed')
       RETURNING id, run`,
        [uploadId],
      ),
    );
  }

  /** Every scraped website gets its message written again (a new template). */
  async resetMessages(uploadId: string): Promise<{ id: string; run: number }[]> {
    return returned(
      await this.db.query(
        `UPDATE upload_websites
          SET status = 'scraped', run = run + 1, message = NULL, message_basis = NULL,
              message_note = NULL, message_snippets = NULL, message_model = NULL,
              message_provider = NULL, message_at = NULL, error = NULL
        WHERE upload_id = $1 AND outcome IS NOT NULL AND status IN ('scraped', 'done', 'failed')
       RETURNING id, run`,
        [uploadId],
      ),
    );
  }

  async listWebsites(
    uploadId: string,
    limit: number,
    offset: number,
  ): Promise<(Record<string, unknown> & { id: string })[]> {
    return this.db.query(
      `SELECT w.id, w.url, w.host, w.source, w.source_column AS "sourceColumn", w.row_count AS "rowCount",
              r.row_number AS "firstRowNumber", w.status, w.outcome, w.outcome_detail AS "outcomeDetail",
              w.title, s.description, COALESCE(s.emails, '[]'::jsonb) AS emails,
              COALESCE(s.social_links, '[]'::jsonb) AS "socialLinks", s.final_url AS "finalUrl",
              s.http_status AS "httpStatus", w.from_cache AS "fromCache", w.scraped_at AS "scrapedAt",
              w.message, w.message_basis AS "messageBasis", w.message_note AS "messageNote",
              COALESCE(w.message_snippets, '[]'::jsonb) AS "messageSnippets",
              w.message_model AS "messageModel", w.message_provider AS "messageProvider",
              w.message_at AS "messageAt", w.error
         FROM upload_websites w
         LEFT JOIN scrapes s ON s.id = w.scrape_id
         LEFT JOIN upload_rows r ON r.upload_id = w.upload_id AND r.row_index = w.first_row
        WHERE w.upload_id = $1
        ORDER BY w.position
        LIMIT $2 OFFSET $3`,
      [uploadId, limit, offset],
    );
  }

  /** Rows without a website, grouped by reason (most common first), with a few row numbers each. */
  async skippedRowReasons(
    uploadId: string,
  ): Promise<{ reason: string; count: number; rowNumbers: number[] }[]> {
    return this.db.query(
      `SELECT no_website_reason AS reason, count(*)::int AS count,
              (array_agg(row_number ORDER BY row_index))[1:5] AS "rowNumbers"
         FROM upload_rows WHERE upload_id = $1 AND website_id IS NULL
        GROUP BY no_website_reason ORDER BY count(*) DESC, min(row_index) LIMIT 20`,
      [uploadId],
    );
  }

  /** Every row with its website's result, in sheet order, a page at a time (keyset). */
  async *resultRows(uploadId: string, pageSize = 1000): AsyncGenerator<ResultRow> {
    let after = -1;
    for (;;) {
      const page: ResultRow[] = await this.db.query(
        `SELECT r.row_index AS "rowIndex", r.row_number AS "rowNumber", r.cells,
                r.no_website_reason AS "noWebsiteReason", r.website_source AS "websiteSource",
                w.url, w.status, w.outcome, w.outcome_detail AS "outcomeDetail", w.title, w.message,
                w.message_basis AS "messageBasis", w.error
           FROM upload_rows r LEFT JOIN upload_websites w ON w.id = r.website_id
          WHERE r.upload_id = $1 AND r.row_index > $2
          ORDER BY r.row_index LIMIT $3`,
        [uploadId, after, pageSize],
      );
      yield* page;
      if (page.length < pageSize) return;
      after = page[page.length - 1].rowIndex;
    }
  }

  /** Old scrapes no website refers to any more. */
  async deleteUnusedScrapes(olderThan: Date): Promise<number> {
    const rows = returned<unknown>(
      await this.db.query(
        `DELETE FROM scrapes s WHERE s.fetched_at < $1
          AND NOT EXISTS (SELECT 1 FROM upload_websites w WHERE w.scrape_id = s.id)
       RETURNING s.id`,
        [olderThan],
      ),
    );
    return rows.length;
  }
}
