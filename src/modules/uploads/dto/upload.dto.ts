import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { ProcessingStatus } from '../../../core/processing/processing-status.js';
import { SCRAPE_OUTCOMES, type ScrapeOutcome } from '../scraping/scrape-outcome.js';

const UPLOAD_ID = '7d1f0e6a-3c2b-4a59-9e8f-0b1c2d3e4f5a';
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class UploadCountsDto {
  @ApiProperty({ example: 120, description: 'Data rows in the file' })
  rows!: number;

  @ApiProperty({ example: 8, description: 'Rows in which no website was found (each says why)' })
  rowsWithoutWebsite!: number;

  @ApiProperty({
    example: 104,
    description: 'Distinct websites found (rows naming the same site share one)',
  })
  websitesFound!: number;

  @ApiProperty({
    example: 97,
    description: 'Websites whose scrape has ended, whatever the outcome',
  })
  scraped!: number;

  @ApiProperty({ example: 90, description: 'Websites scraped with outcome ok' })
  scrapedOk!: number;

  @ApiProperty({
    example: 7,
    description:
      'Websites whose scrape failed (outcome other than ok) or that could not be processed',
  })
  failed!: number;

  @ApiProperty({ example: 95, description: 'Websites with a message' })
  messages!: number;

  @ApiProperty({ example: 0, description: 'Websites whose message could not be written' })
  messageFailures!: number;

  @ApiProperty({ example: 9, description: 'Websites still to scrape or to write a message for' })
  pending!: number;
}

export class UploadProgressDto {
  @ApiProperty({ example: 95, description: 'Websites finished (message written, or given up)' })
  done!: number;

  @ApiProperty({ example: 104 })
  total!: number;

  @ApiProperty({ example: 91 })
  percent!: number;
}

export class UploadResponseDto {
  @ApiProperty({ format: 'uuid', example: UPLOAD_ID })
  id!: string;

  @ApiProperty({ format: 'uuid', example: UPLOAD_ID, description: "The seed's name for the id" })
  fileUploadId!: string;

  @ApiProperty({ format: 'uuid', description: 'The owner: the authenticated user who uploaded it' })
  userId!: string;

  @ApiProperty({ example: 'companies.xlsx' })
  fileName!: string;

  @ApiProperty({ enum: ['csv', 'xlsx'], example: 'xlsx' })
  format!: 'csv' | 'xlsx';

  @ApiProperty({ enum: ProcessingStatus, example: ProcessingStatus.Processing })
  status!: ProcessingStatus;

  @ApiProperty({
    enum: ['queued', 'extracting', 'scraping', 'writing messages', 'finished'],
    example: 'scraping',
    description: 'Where the work is, derived from the counts',
  })
  phase!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why it failed or is paused',
  })
  error!: string | null;

  @ApiProperty({ type: UploadCountsDto })
  counts!: UploadCountsDto;

  @ApiProperty({ type: UploadProgressDto })
  progress!: UploadProgressDto;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Website',
    description: 'The column websites were read from, if the sheet has one',
  })
  websiteColumn!: string | null;

  @ApiProperty({
    example: 'Write a short first message (60-100 words) to {{company}} about {{offer}}. ...',
  })
  template!: string;

  @ApiProperty({ type: String, nullable: true, example: 'AI automation for order processing' })
  offer!: string | null;

  @ApiProperty({ example: '2026-03-01T09:30:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ type: Date, nullable: true })
  startedAt!: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  completedAt!: Date | null;

  @ApiProperty({
    example: {
      self: `/api/uploads/${UPLOAD_ID}`,
      results: `/api/uploads/${UPLOAD_ID}/results?format=xlsx`,
      page: `/uploads/${UPLOAD_ID}`,
    },
  })
  links!: { self: string; results: string; page: string };
}

export class MessageSnippetDto {
  @ApiProperty({ enum: ['title', 'description', 'heading', 'text'], example: 'text' })
  source!: string;

  @ApiProperty({
    example: 'We deliver fresh bread and pastries to more than 40 offices in Aarhus every weekday.',
  })
  text!: string;
}

export class SocialLinkDto {
  @ApiProperty({ example: 'linkedin' })
  network!: string;

  @ApiProperty({ example: 'https://www.linkedin.com/company/hansen-bakery' })
  url!: string;
}

export class UploadWebsiteDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://hansen-bakery.dk/' })
  url!: string;

  @ApiProperty({ example: 'hansen-bakery.dk' })
  host!: string;

  @ApiProperty({
    enum: ['column', 'cell', 'email'],
    example: 'column',
    description:
      'column: the website column; cell: a web address in another column; email: the domain of a business email',
  })
  source!: string;

  @ApiProperty({ example: 'Website' })
  sourceColumn!: string;

  @ApiProperty({ example: 1, description: 'Rows that name this website' })
  rowCount!: number;

  @ApiProperty({ example: 2, description: 'Line (CSV) or sheet row (XLSX) of the first of them' })
  firstRowNumber!: number;

  @ApiProperty({ enum: ['pending', 'scraped', 'done', 'failed'], example: 'done' })
  status!: string;

  @ApiProperty({ enum: SCRAPE_OUTCOMES, nullable: true, example: 'ok' })
  outcome!: ScrapeOutcome | null;

  @ApiProperty({ type: String, nullable: true, example: 'HTTP 404 Not Found' })
  outcomeDetail!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Hansen Bakery | Sourdough bread baked in Aarhus since 1952',
  })
  title!: string | null;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: [String], example: ['hello@hansen-bakery.dk'] })
  emails!: string[];

  @ApiProperty({ type: [SocialLinkDto] })
  socialLinks!: SocialLinkDto[];

  @ApiProperty({ type: String, nullable: true })
  finalUrl!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 200 })
  httpStatus!: number | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'The scrape was reused from the cache (another upload, within SCRAPE_CACHE_HOURS)',
  })
  fromCache!: boolean | null;

  @ApiProperty({ type: Date, nullable: true })
  scrapedAt!: Date | null;

  @ApiProperty({ type: String, nullable: true, example: 'Hello Hansen Bakery team, ...' })
  message!: string | null;

  @ApiProperty({
    enum: ['website', 'row-fields'],
    nullable: true,
    example: 'website',
    description:
      "website: grounded in the site's text; row-fields: the fallback from the row's fields only",
  })
  messageBasis!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why the fallback was used',
  })
  messageNote!: string | null;

  @ApiProperty({
    type: [MessageSnippetDto],
    description: 'The website excerpts the message was grounded in',
  })
  messageSnippets!: MessageSnippetDto[];

  @ApiProperty({ type: String, nullable: true, example: 'gpt-4o-mini' })
  messageModel!: string | null;

  @ApiProperty({ enum: ['openai', 'offline'], nullable: true, example: 'openai' })
  messageProvider!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the website could not be processed',
  })
  error!: string | null;
}

export class SkippedRowsDto {
  @ApiProperty({
    example:
      'The "Website" column is empty; no web address in any other column; jane@gmail.com is a free-mail address (gmail.com), not a company domain',
  })
  reason!: string;

  @ApiProperty({ example: 3 })
  count!: number;

  @ApiProperty({ type: [Number], example: [4, 9, 17], description: 'The first few row numbers' })
  rowNumbers!: number[];
}

export class UploadDetailResponseDto extends UploadResponseDto {
  @ApiProperty({ type: [String], example: ['Company', 'Website', 'Email'] })
  headers!: string[];

  @ApiProperty({
    type: [UploadWebsiteDto],
    description: 'Websites in sheet order (a page of them: websitesLimit, websitesOffset)',
  })
  websites!: UploadWebsiteDto[];

  @ApiProperty({ type: [SkippedRowsDto], description: 'Rows without a website, grouped by reason' })
  rowsWithoutWebsite!: SkippedRowsDto[];
}

export class UploadListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(200, { message: 'limit must be at most 200' })
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be an integer' })
  @Min(0, { message: 'offset must be 0 or more' })
  offset?: number;
}

export class UploadDetailQueryDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 5000,
    default: 500,
    description: 'Websites to include',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'websitesLimit must be an integer' })
  @Min(0, { message: 'websitesLimit must be 0 or more' })
  @Max(5000, { message: 'websitesLimit must be at most 5000' })
  websitesLimit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'websitesOffset must be an integer' })
  @Min(0, { message: 'websitesOffset must be 0 or more' })
  websitesOffset?: number;
}

export class UploadResultsQueryDto {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' })
  @IsOptional()
  @IsIn(['xlsx', 'csv'], { message: 'format must be xlsx or csv' })
  format?: 'xlsx' | 'csv';
}

export class UploadTemplateUpdateDto {
  @ApiProperty({
    example:
      'Write a 70-word message to {{company}} about {{offer}}. Mention one thing from their website. No signature.',
    description:
      'Instructions for each message. Placeholders: {{company}}, {{website}}, {{offer}} and any column name, e.g. {{First Name}}.',
    maxLength: 4000,
  })
  @Transform(trim)
  @IsString()
  @Length(10, 4000, { message: 'template must be 10 to 4000 characters' })
  template!: string;

  @ApiPropertyOptional({
    example: 'AI automation for order processing',
    maxLength: 300,
    description: 'What the messages offer; empty keeps the current one',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(300, { message: 'offer must be at most 300 characters' })
  offer?: string;
}
