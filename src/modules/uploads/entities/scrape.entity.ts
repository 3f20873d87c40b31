import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Heading, SocialLink } from '../scraping/page-content.js';
import type { ScrapeOutcome } from '../scraping/scrape-outcome.js';
import type { PageVisit } from '../scraping/website-scraper.js';

/**
 * One scrape of a URL. Rows are never changed: a fresh one (within SCRAPE_CACHE_HOURS) is reused
 * by any upload that names the same URL, and old ones nothing refers to are deleted.
 */
@Entity('scrapes')
export class Scrape {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', nullable: true })
  finalUrl!: string | null;

  @Column({ type: 'text' })
  outcome!: ScrapeOutcome;

  @Column({ type: 'integer', nullable: true })
  httpStatus!: number | null;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ type: 'text', nullable: true })
  contentType!: string | null;

  @Column({ type: 'integer', nullable: true })
  bytes!: number | null;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  headings!: Heading[];

  @Column({ type: 'text', default: '' })
  text!: string;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  emails!: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  socialLinks!: SocialLink[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  pages!: PageVisit[];

  @Column({ type: 'boolean' })
  cacheable!: boolean;

  @Column({ type: 'integer', default: 0 })
  durationMs!: number;

  @Column({ type: 'timestamptz' })
  fetchedAt!: Date;
}
