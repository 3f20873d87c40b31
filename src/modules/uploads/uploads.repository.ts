import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, type Repository } from 'typeorm';
import { OwnedRepository, type Owner } from '../../core/auth/owner-scope.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { Upload } from './entities/upload.entity.js';

/** What an upload has come to: one query over its websites, shared by every view (seed 000's bug). */
export interface WebsiteCounts {
  websites: number;
  /** Websites whose scrape has ended (any outcome), or that could not be processed. */
  scraped: number;
  scrapedOk: number;
  /** Scrape outcome other than ok, or the website could not be processed at all. */
  failed: number;
  messages: number;
  /** Scraped, but the message could not be written. */
  messageFailures: number;
  /** Still to scrape or to write a message for. */
  open: number;
}

export const NO_WEBSITES: WebsiteCounts = {
  websites: 0,
  scraped: 0,
  scrapedOk: 0,
  failed: 0,
  messages: 0,
  messageFailures: 0,
  open: 0,
};

@Injectable()
export class UploadsRepository extends OwnedRepository<Upload> {
  constructor(@InjectRepository(Upload) private readonly uploads: Repository<Upload>) {
    super(uploads, 'Upload');
  }

  get entities(): Repository<Upload> {
    return this.uploads;
  }

  /** For processors, which get ids from jobs (no owner). */
  findById(id: string): Promise<Upload | null> {
    return this.uploads.findOneBy({ id });
  }

  listPage(owner: Owner, limit: number, offset: number): Promise<Upload[]> {
    return this.uploads.find({
      where: { ownerId: owner.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  /**
   * The only source of an upload's counts: the listing, the detail, the pages and the dashboard
   * all call this, so they cannot disagree.
   */
  async countsFor(ids: readonly string[]): Promise<Map<string, WebsiteCounts>> {
    const counts = new Map<string, WebsiteCounts>();
    if (ids.length === 0) return counts;
    const rows: (WebsiteCounts & { upload_id: string })[] = await this.uploads.query(
      `SELECT upload_id,
              count(*)::int AS websites,
              count(*) FILTER (WHERE outcome IS NOT NULL OR status = 'failed')::int AS scraped,
              count(*) FILTER (WHERE outcome = 'ok')::int AS "scrapedOk",
              count(*) FILTER (WHERE (outcome IS NOT NULL AND outcome <> 'ok')
                                  OR (outcome IS NULL AND status = 'failed'))::int AS failed,
              count(*) FILTER (WHERE message IS NOT NULL)::int AS messages,
              count(*) FILTER (WHERE status = 'failed' AND outcome IS NOT NULL)::int AS "messageFailures",
              count(*) FILTER (WHERE status IN ('pending', 'scraped'))::int AS open
         FROM upload_websites
        WHERE upload_id = ANY($1::uuid[])
        GROUP BY upload_id`,
      [ids],
    );
    for (const { upload_id, ...row } of rows) counts.set(upload_id, row);
    return counts;
  }

  /** Uploads whose extraction has to (re)start: pending or processing, not yet extracted. */
  findUnextracted(): Promise<Upload[]> {
    return this.uploads.find({
      where: {
        processing: { status: In([ProcessingStatus.Pending, ProcessingStatus.Processing]) },
        extractedAt: IsNull(),
      },
    });
  }

  /** Processing uploads that are extracted and have no open website left. */
  async findFinished(ids?: readonly string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.uploads.query(
      `SELECT u.id FROM uploads u
        WHERE u.processing_status = 'processing' AND u.extracted_at IS NOT NULL
          AND ($1::uuid[] IS NULL OR u.id = ANY($1::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM upload_websites w
                           WHERE w.upload_id = u.id AND w.status IN ('pending', 'scraped'))`,
      [ids ?? null],
    );
    return rows.map((row) => row.id);
  }
}
