import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ProcessingStatus } from '../../../core/processing/processing-status.js';
import { TRANSCRIPT_FORMATS } from '../transcripts/transcript-format.js';

const CONVERSATION_ID = '3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b';
const EXAMPLE_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// ---------------------------------------------------------------------------------------------
// Seed endpoints: upload, status, health (the seed's snake_case field names)
// ---------------------------------------------------------------------------------------------

export class FeedmeUploadResponseDto {
  @ApiProperty({ format: 'uuid', example: CONVERSATION_ID })
  id!: string;

  @ApiProperty({
    example: 202,
    description: 'The HTTP status, repeated in the body as the seed has it',
  })
  status!: 200 | 202;

  @ApiProperty({ enum: ProcessingStatus, example: ProcessingStatus.Processing })
  processing_status!: ProcessingStatus;

  @ApiProperty({ example: 'Transcript uploaded successfully. Processing started in background.' })
  message!: string;

  @ApiProperty({ enum: ['async', 'sync'], example: 'async' })
  processing_mode!: 'async' | 'sync';

  @ApiProperty({ example: 'Customer Issue #123' })
  title!: string;

  @ApiProperty({ enum: TRANSCRIPT_FORMATS, example: 'text' })
  source_format!: string;

  @ApiProperty({ example: `/api/v1/feedme/conversations/${CONVERSATION_ID}/status` })
  status_url!: string;
}

export class FeedmeProgressDto {
  @ApiProperty({ example: 2 })
  done!: number;

  @ApiProperty({ type: Number, nullable: true, example: 3 })
  total!: number | null;

  @ApiProperty({ example: 66 })
  percent!: number;
}

export class FeedmeStatusResponseDto {
  @ApiProperty({ format: 'uuid', example: CONVERSATION_ID })
  id!: string;

  @ApiProperty({ example: 'Customer Issue #123' })
  title!: string;

  @ApiProperty({
    enum: ProcessingStatus,
    example: ProcessingStatus.Processing,
    description:
      'processing while queued or under way (async mode); pending until started (sync mode, or auto_process=false)',
  })
  processing_status!: ProcessingStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'extracting',
    description: 'queued, extracting, embedding',
  })
  processing_step!: string | null;

  @ApiProperty({ type: FeedmeProgressDto })
  progress!: FeedmeProgressDto;

  @ApiProperty({ type: String, nullable: true, example: null })
  error_message!: string | null;

  @ApiProperty({ example: 12, description: 'Examples stored from this transcript' })
  examples_extracted!: number;

  @ApiProperty({ example: 1, description: 'Examples merged into a near-duplicate already stored' })
  examples_merged!: number;

  @ApiProperty({ enum: ['async', 'sync'], example: 'async' })
  processing_mode!: 'async' | 'sync';

  @ApiProperty({ example: '2026-11-22T08:00:00.000Z' })
  created_at!: Date;

  @ApiProperty({ type: Date, nullable: true })
  started_at!: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  completed_at!: Date | null;
}

export class FeedmeConversationResponseDto extends FeedmeStatusResponseDto {
  @ApiProperty({ example: 'issue-123.txt' })
  original_filename!: string;

  @ApiProperty({ enum: TRANSCRIPT_FORMATS, example: 'zendesk' })
  source_format!: string;

  @ApiProperty({ example: 2048 })
  file_size!: number;

  @ApiProperty({ example: 14, description: 'Speaker turns read from the transcript' })
  turn_count!: number;

  @ApiProperty({ type: [String], example: ['billing'], description: 'Tags the export carried' })
  source_tags!: string[];

  @ApiProperty({
    example: {
      self: `/api/v1/feedme/conversations/${CONVERSATION_ID}`,
      page: `/feedme/conversations/${CONVERSATION_ID}`,
    },
  })
  links!: { self: string; status: string; examples: string; page: string };
}

export class FeedmeConversationListResponseDto {
  @ApiProperty({ type: [FeedmeConversationResponseDto] })
  conversations!: FeedmeConversationResponseDto[];

  @ApiProperty({ example: 42 })
  total!: number;
}

export class QualityReasonDto {
  @ApiProperty({ example: 'substantial_answer' })
  code!: string;

  @ApiProperty({ example: 0.15 })
  effect!: number;

  @ApiProperty({ example: 'the answer has 34 words' })
  detail!: string;
}

export class FeedmeExampleResponseDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ format: 'uuid', example: CONVERSATION_ID })
  conversation_id!: string;

  @ApiProperty({ example: 'How do I reset my password?' })
  question!: string;

  @ApiProperty({
    example: 'Go to Settings > Security, click "Reset password" and follow the link we email you.',
  })
  answer!: string;

  @ApiProperty({ example: 'Customer: Hi, I am locked out of my account.' })
  context!: string;

  @ApiProperty({ type: [String], example: ['account'] })
  tags!: string[];

  @ApiProperty({ example: 0.8, description: "The extractor's confidence" })
  confidence!: number;

  @ApiProperty({ example: 0.83 })
  quality_score!: number;

  @ApiProperty({ type: [QualityReasonDto] })
  quality_reasons!: QualityReasonDto[];

  @ApiProperty({
    example: false,
    description: 'Below FEEDME_QUALITY_THRESHOLD: kept, not searched unless approved',
  })
  low_quality!: boolean;

  @ApiProperty({ enum: ['pending', 'approved', 'rejected'], example: 'pending' })
  review_status!: string;

  @ApiProperty({ example: 3 })
  version!: number;

  @ApiProperty({ example: 5, description: 'How often a search returned it' })
  usage_count!: number;

  @ApiProperty({ type: Date, nullable: true })
  last_used_at!: Date | null;

  @ApiProperty({ example: 2, description: 'Transcripts it came from (near-duplicates merged)' })
  source_count!: number;

  @ApiProperty()
  created_at!: Date;

  @ApiProperty()
  updated_at!: Date;
}

export class FeedmeConversationDetailResponseDto extends FeedmeConversationResponseDto {
  @ApiProperty({
    example: 'Customer: How do I reset my password?\nAgent: Go to Settings > Security ...',
  })
  transcript!: string;

  @ApiProperty({ type: [FeedmeExampleResponseDto] })
  examples!: FeedmeExampleResponseDto[];
}

export class FeedmeListQueryDto {
  @ApiPropertyOptional({ enum: ProcessingStatus })
  @IsOptional()
  @IsIn(Object.values(ProcessingStatus))
  status?: ProcessingStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

export class FeedmeSearchDto {
  @ApiProperty({ example: 'I forgot my password, how can I change it?', maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  query!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  top_k?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    example: 0.3,
    description: 'Least combined score (default FEEDME_SIMILARITY_THRESHOLD)',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  threshold?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['account'],
    description: 'Examples with any of these tags',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  tags?: string[];

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Only examples from these conversations',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  conversation_ids?: string[];

  @ApiPropertyOptional({ default: false, description: 'Also low-quality examples nobody approved' })
  @IsOptional()
  @IsBoolean()
  include_low_quality?: boolean;
}

export class FeedmeSearchHitDto extends FeedmeExampleResponseDto {
  @ApiProperty({
    example: 0.82,
    description: 'Combined score: semantic, raised by the keyword match',
  })
  score!: number;

  @ApiProperty({ example: 0.79, description: 'Cosine similarity of the question embeddings' })
  semantic_score!: number;

  @ApiProperty({ example: 0.41, description: 'Keyword rank (0..1)' })
  keyword_score!: number;

  @ApiProperty({ example: { id: CONVERSATION_ID, title: 'Customer Issue #123' } })
  conversation!: { id: string; title: string };
}

export class FeedmeSearchResponseDto {
  @ApiProperty({ example: 'I forgot my password, how can I change it?' })
  query!: string;

  @ApiProperty({ example: 0.3 })
  threshold!: number;

  @ApiProperty({ type: [FeedmeSearchHitDto] })
  results!: FeedmeSearchHitDto[];
}

// ---------------------------------------------------------------------------------------------
// Versioning and review
// ---------------------------------------------------------------------------------------------

export class FeedmeExampleUpdateDto {
  @ApiPropertyOptional({ example: 'How do I reset my password if I no longer have my phone?' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 4000)
  question?: string;

  @ApiPropertyOptional({ example: 'Use a recovery code, or ask us to verify you by email.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 20000)
  answer?: string;

  @ApiPropertyOptional({ example: '' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  context?: string;

  @ApiPropertyOptional({ type: [String], example: ['account', 'security'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ example: 'Added the no-phone case' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  change_note?: string;

  @ApiPropertyOptional({ example: 2, description: 'The version edited; a newer one answers 409' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expected_version?: number;
}

export class FeedmeRollbackDto {
  @ApiProperty({
    example: 1,
    description: 'The version whose content becomes current again (as a new version)',
  })
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional({ example: 'The edit was wrong' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  change_note?: string;
}

export class FeedmeReviewDto {
  @ApiProperty({ enum: ['approved', 'rejected', 'pending'], example: 'approved' })
  @IsIn(['approved', 'rejected', 'pending'])
  review_status!: 'approved' | 'rejected' | 'pending';
}

export class FeedmeVersionResponseDto {
  @ApiProperty({ example: 2 })
  version!: number;

  @ApiProperty({ example: 'How do I reset my password?' })
  question!: string;

  @ApiProperty()
  answer!: string;

  @ApiProperty()
  context!: string;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({ type: [String], example: ['answer'] })
  changed_fields!: string[];

  @ApiProperty({ enum: ['extracted', 'edit', 'rollback'], example: 'edit' })
  change_kind!: string;

  @ApiProperty({ type: String, nullable: true })
  change_note!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: null })
  rolled_back_to!: number | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'Who made the change' })
  changed_by!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'owner@example.com' })
  changed_by_email!: string | null;

  @ApiProperty()
  created_at!: Date;
}

export class FeedmeDiffQueryDto {
  @ApiPropertyOptional({ example: 1, description: 'Default: the version before `to`' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  from?: number;

  @ApiPropertyOptional({ example: 2, description: 'Default: the current version' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  to?: number;
}

export class DiffPartDto {
  @ApiProperty({ enum: ['equal', 'insert', 'delete'], example: 'insert' })
  op!: string;

  @ApiProperty({ example: 'recovery code' })
  text!: string;
}

export class FeedmeFieldDiffDto {
  @ApiProperty({ enum: ['question', 'answer', 'context', 'tags'], example: 'answer' })
  field!: string;

  @ApiProperty({ example: true })
  changed!: boolean;

  @ApiProperty({ type: [DiffPartDto] })
  parts!: DiffPartDto[];
}

export class FeedmeDiffResponseDto {
  @ApiProperty({ example: 1 })
  from!: number;

  @ApiProperty({ example: 2 })
  to!: number;

  @ApiProperty({ type: [FeedmeFieldDiffDto] })
  fields!: FeedmeFieldDiffDto[];
}

export class FeedmeHealthResponseDto {
  @ApiProperty({ enum: ['healthy', 'degraded', 'unhealthy'], example: 'healthy' })
  status!: string;

  @ApiProperty({ example: { status: 'up', vector: true, vectorVersion: '0.8.1', hnswIndex: true } })
  database!: Record<string, unknown>;

  @ApiProperty({ example: { status: 'up', workers: true, queue: { waiting: 0, active: 1 } } })
  worker!: Record<string, unknown>;

  @ApiProperty({ example: { status: 'up', latencyMs: 1 } })
  redis!: Record<string, unknown>;

  @ApiProperty({
    example: { enabled: true, async_processing: true, max_file_size_mb: 10, llm_mode: 'openai' },
  })
  configuration!: Record<string, unknown>;

  @ApiProperty({ example: '2026-11-22T08:00:00.000Z' })
  checked_at!: string;
}
