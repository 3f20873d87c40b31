import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ProcessingStatus } from '../../../core/processing/processing-status.js';
import { DEFAULT_TEMPLATE } from '../email-prompt.js';
import { LEAD_FIELDS } from '../lead-columns.js';

const JOB_ID = '3f6c2a1e-8d4b-4c7a-9e21-5b0d7f1a2c34';
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class EmailJobTokensDto {
  @ApiProperty({ example: 412_300 })
  prompt!: number;

  @ApiProperty({ example: 118_950 })
  completion!: number;

  @ApiProperty({ example: 531_250 })
  total!: number;
}

export class EmailJobLinksDto {
  @ApiProperty({ example: `/api/email-generation/status/${JOB_ID}` })
  status!: string;

  @ApiProperty({ example: `/api/email-generation/download/${JOB_ID}?format=xlsx` })
  download!: string;

  @ApiProperty({ example: `/api/email-generation/jobs/${JOB_ID}/events` })
  events!: string;

  @ApiProperty({ example: `/email-generation/${JOB_ID}` })
  page!: string;
}

/** The seed's status answer (job_id, status, progress), with counts, rate, ETA, tokens and cost. */
export class EmailJobResponseDto {
  @ApiProperty({ format: 'uuid', example: JOB_ID })
  job_id!: string;

  @ApiProperty({ example: 'leads-march.xlsx' })
  file_name!: string;

  @ApiProperty({ enum: ['csv', 'xlsx'], example: 'xlsx' })
  format!: 'csv' | 'xlsx';

  @ApiProperty({ enum: ProcessingStatus, example: ProcessingStatus.Processing })
  status!: ProcessingStatus;

  @ApiProperty({ example: 'Generated 7,200 of 18,000 emails (40%)' })
  message!: string;

  @ApiProperty({ example: 40, description: 'Percent of rows finished (done or failed)' })
  progress!: number;

  @ApiProperty({ example: 18000 })
  total!: number;

  @ApiProperty({ example: 7190, description: 'Rows with an email' })
  done!: number;

  @ApiProperty({ example: 10, description: 'Rows that failed, each with its error' })
  failed!: number;

  @ApiProperty({ example: 10800 })
  pending!: number;

  @ApiProperty({ example: 2940, description: 'Rows finished in the last minute' })
  rate_per_minute!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 220,
    description: 'Seconds left at the current rate; null when not running',
  })
  eta_seconds!: number | null;

  @ApiProperty({ type: EmailJobTokensDto })
  tokens!: EmailJobTokensDto;

  @ApiProperty({ example: 0.1432, description: 'Spent so far, USD (LLM_PRICES)' })
  cost_usd!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.36,
    description: 'Estimate before start: rows x average tokens x price',
  })
  estimated_cost_usd!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 5,
    description: 'Pauses the job when reached',
  })
  budget_usd!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['quota', 'budget', 'manual'],
    example: null,
  })
  pause_reason!: 'quota' | 'budget' | 'manual' | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why it paused or failed, in words',
  })
  error!: string | null;

  @ApiProperty({ type: Date, nullable: true, description: 'A quota pause resumes by itself then' })
  resume_at!: Date | null;

  @ApiProperty({ example: 1, description: 'Template version; a re-run starts the next' })
  version!: number;

  @ApiProperty({ example: DEFAULT_TEMPLATE })
  template!: string;

  @ApiProperty({ type: String, nullable: true, example: 'AI automation for order processing' })
  offer!: string | null;

  @ApiProperty({ example: 'an AI automation specialist' })
  sender_role!: string;

  @ApiProperty({
    example: { first_name: 'First Name', company: 'Company Name', title: 'Job Title' },
    description: 'Lead field -> the column it is read from',
  })
  column_map!: Record<string, string>;

  @ApiProperty({ example: ['First Name', 'Last Name', 'Company Name', 'Job Title', 'Email'] })
  headers!: string[];

  @ApiProperty()
  created_at!: Date;

  @ApiProperty({ type: Date, nullable: true })
  started_at!: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  completed_at!: Date | null;

  @ApiProperty({ type: Date, nullable: true, description: 'When every row had its queue job' })
  queued_at!: Date | null;

  @ApiProperty({ type: EmailJobLinksDto })
  links!: EmailJobLinksDto;
}

export class EmailRowDto {
  @ApiProperty({ example: 0, description: '0-based order in the file' })
  row_index!: number;

  @ApiProperty({ example: 2, description: 'The line (CSV) or sheet row (XLSX)' })
  row_number!: number;

  @ApiProperty({ example: { 'First Name': 'Dana', 'Company Name': 'Northwind' } })
  lead!: Record<string, string>;

  @ApiProperty({ enum: ['pending', 'done', 'failed'], example: 'done' })
  status!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Hi Dana, saw Northwind is growing...' })
  generated_email!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ok (58 words)' })
  check_verdict!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'gpt-4o-mini' })
  model!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  error!: string | null;

  @ApiProperty({ example: 1 })
  attempts!: number;

  @ApiProperty({ type: Date, nullable: true, description: 'When its result was stored' })
  finished_at!: Date | null;
}

export class EmailPreviewRowDto extends EmailRowDto {
  @ApiProperty({ description: 'The prompt the model read (user part)' })
  prompt!: string;
}

export class EmailPreviewResponseDto {
  @ApiProperty({ format: 'uuid', example: JOB_ID })
  job_id!: string;

  @ApiProperty({ type: [EmailPreviewRowDto] })
  rows!: EmailPreviewRowDto[];
}

export class EmailJobListQueryDto {
  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ example: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class EmailRowsQueryDto extends EmailJobListQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'done', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'done', 'failed'])
  status?: 'pending' | 'done' | 'failed';
}

export class EmailDownloadQueryDto {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' })
  @IsOptional()
  @IsIn(['xlsx', 'csv'])
  format?: 'xlsx' | 'csv';
}

/** Settings a job can be started, previewed or re-run with. */
export class EmailJobSettingsDto {
  @ApiPropertyOptional({
    example: DEFAULT_TEMPLATE,
    description:
      'The user prompt; {{first_name}}, {{last_name}}, {{full_name}}, {{email}}, {{company}}, {{title}}, {{website}}, {{industry}}, {{linkedin}}, {{location}}, {{notes}}, {{offer}}, {{sender_role}} or any column by its header.',
  })
  @IsOptional()
  @IsString()
  @Transform(trim)
  @Length(10, 4000)
  template?: string;

  @ApiPropertyOptional({ example: 'AI automation for order processing' })
  @IsOptional()
  @IsString()
  @Transform(trim)
  @MaxLength(300)
  offer?: string;

  @ApiPropertyOptional({ example: 'an AI automation specialist at Acme Automation' })
  @IsOptional()
  @IsString()
  @Transform(trim)
  @Length(3, 300)
  sender_role?: string;

  @ApiPropertyOptional({
    example: { company: 'Organisation', notes: '' },
    description: `Overrides of the detected mapping, lead field -> header ("" drops it). Fields: ${LEAD_FIELDS.join(', ')}.`,
  })
  @IsOptional()
  @IsObject()
  column_map?: Record<string, string>;

  @ApiPropertyOptional({
    example: 5,
    description: 'Pause the job when its cost reaches this (USD)',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  budget_usd?: number;
}

export class EmailPreviewDto extends EmailJobSettingsDto {
  @ApiPropertyOptional({
    example: 3,
    minimum: 1,
    description: 'First N rows (EMAIL_PREVIEW_MAX_ROWS at most)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  rows?: number;
}

export class EmailRerunDto {
  @ApiProperty({ example: DEFAULT_TEMPLATE, description: 'The new template version' })
  @IsString()
  @Transform(trim)
  @Length(10, 4000)
  template!: string;

  @ApiPropertyOptional({ example: 'AI automation for order processing' })
  @IsOptional()
  @IsString()
  @Transform(trim)
  @MaxLength(300)
  offer?: string;
}

export class EmailJobVersionDto {
  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty()
  template!: string;

  @ApiProperty({ example: 18000 })
  emails!: number;
}

export class EmailResumeDto {
  @ApiPropertyOptional({ example: 10, description: 'A new budget, e.g. after a budget stop (USD)' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  budget_usd?: number;
}
