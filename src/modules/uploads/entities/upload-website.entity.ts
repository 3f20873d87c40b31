import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ScrapeOutcome } from '../scraping/scrape-outcome.js';
import type { WebsiteSource } from '../extraction/website-extractor.js';

/**
 * Where a website stands: `pending` (to scrape), `scraped` (outcome stored, message to write),
 * `done` (message stored), `failed` (could not be processed; `error` says why).
 */
export type WebsiteStatus = 'pending' | 'scraped' | 'done' | 'failed';

/** A text a message was grounded in, stored with the message. */
export interface MessageSnippet {
  source: 'title' | 'description' | 'heading' | 'text';
  text: string;
}

/** One distinct website of an upload (rows that name the same site share it). */
@Entity('upload_websites')
export class UploadWebsite {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  uploadId!: string;

  /** Order of first appearance in the sheet. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text' })
  host!: string;

  @Column({ type: 'text' })
  dedupeKey!: string;

  @Column({ type: 'text' })
  source!: WebsiteSource;

  @Column({ type: 'text' })
  sourceColumn!: string;

  @Column({ type: 'integer' })
  firstRow!: number;

  @Column({ type: 'integer', default: 1 })
  rowCount!: number;

  @Column({ type: 'text', default: 'pending' })
  status!: WebsiteStatus;

  /** Bumped by a retry or a new template; jobs of an older run do nothing. */
  @Column({ type: 'integer', default: 1 })
  run!: number;

  /** Scrape again even if a fresh scrape of the URL is cached (retry). */
  @Column({ type: 'boolean', default: false })
  refresh!: boolean;

  @Column({ type: 'uuid', nullable: true })
  scrapeId!: string | null;

  @Column({ type: 'text', nullable: true })
  outcome!: ScrapeOutcome | null;

  @Column({ type: 'text', nullable: true })
  outcomeDetail!: string | null;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'boolean', nullable: true })
  fromCache!: boolean | null;

  @Column({ type: 'timestamptz', nullable: true })
  scrapedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ type: 'text', nullable: true })
  messageBasis!: 'website' | 'row-fields' | null;

  @Column({ type: 'text', nullable: true })
  messageNote!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  messageSnippets!: MessageSnippet[] | null;

  @Column({ type: 'text', nullable: true })
  messageModel!: string | null;

  @Column({ type: 'text', nullable: true })
  messageProvider!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  messageAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
