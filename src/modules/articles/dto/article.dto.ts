import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ProcessingStatus } from '../../../core/processing/processing-status.js';

const ARTICLE_ID = '3f6c1b9e-2a4d-4c8e-9b1f-7d2e5a6c8b01';

export const ARTICLE_STEPS = ['queued', 'extracting_metadata', 'generating_cost_models'] as const;
export type ArticleStep = (typeof ARTICLE_STEPS)[number];

/** `GET /api/articles/{id}/status`: the seed's cheap polling answer, plus the current step. */
export class ArticleStatusResponseDto {
  @ApiProperty({ format: 'uuid', example: ARTICLE_ID })
  id!: string;

  @ApiProperty({
    enum: ProcessingStatus,
    example: ProcessingStatus.Completed,
    description:
      'pending: not yet started (after a reprocess); processing; completed; failed (see processing_error); paused: the LLM quota ran out (reprocess later)',
  })
  processing_status!: ProcessingStatus;

  @ApiProperty({ type: String, nullable: true, example: null })
  processing_error!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2025-10-25T10:00:00Z' })
  processing_started_at!: Date | null;

  @ApiProperty({ type: String, nullable: true, example: '2025-10-25T10:00:30Z' })
  processing_completed_at!: Date | null;

  @ApiProperty({
    enum: ARTICLE_STEPS,
    nullable: true,
    example: 'generating_cost_models',
    description: 'While processing: the step under way (the seed\'s "granular progress")',
  })
  processing_step!: ArticleStep | null;
}

export class ArticleFileDto {
  @ApiProperty({ example: 'spec.pdf' })
  file_name!: string;

  @ApiProperty({
    example: 'pdf',
    description: 'What the content is (decided by content, not name)',
  })
  kind!: string;

  @ApiProperty({ description: 'Whether the file is still stored' })
  stored!: boolean;
}

export class ArticleResponseDto extends ArticleStatusResponseDto {
  @ApiProperty({ example: 'Widget A' })
  article_name!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Metal widget' })
  description!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2.5,
    description: 'Kilograms per unit; null until extracted, when none was found, or when flagged',
  })
  unit_weight!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2500,
    description: 'What the model reported, in grams, before the plausibility check',
  })
  unit_weight_reported_grams!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'Set when the reported weight is implausible (negative, zero, above 100 t) and was not stored',
  })
  weight_review!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'Why no weight was extracted (unreadable file, model error); cost models are still generated',
  })
  metadata_error!: string | null;

  @ApiProperty({ type: ArticleFileDto })
  specification!: ArticleFileDto;

  @ApiProperty({ type: ArticleFileDto, nullable: true })
  drawing!: ArticleFileDto | null;

  @ApiProperty({ example: '2025-10-25T10:00:00Z' })
  created_at!: Date;

  @ApiProperty({ example: '2025-10-25T10:00:30Z' })
  updated_at!: Date;

  @ApiProperty({
    example: {
      self: `/api/articles/${ARTICLE_ID}`,
      status: `/api/articles/${ARTICLE_ID}/status`,
      cost_models: `/api/articles/${ARTICLE_ID}/cost-models`,
      page: `/articles/${ARTICLE_ID}`,
    },
  })
  links!: { self: string; status: string; cost_models: string; page: string };
}

export class CostModelPartDto {
  @ApiProperty({ example: 1 })
  index_id!: number;

  @ApiProperty({ example: 'steel' })
  index_code!: string;

  @ApiProperty({ example: 'Steel' })
  index_name!: string;

  @ApiProperty({ example: 0.55, description: 'Fraction of the cost; the parts sum to 1' })
  part!: number;
}

export class ArticleCostModelsResponseDto {
  @ApiProperty({ format: 'uuid', example: ARTICLE_ID })
  article_id!: string;

  @ApiProperty({ type: CostModelPartDto, isArray: true })
  cost_models!: CostModelPartDto[];

  @ApiProperty({
    type: [Number],
    nullable: true,
    example: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    description: 'The cost indices the model was offered',
  })
  offered_index_ids!: number[] | null;

  @ApiProperty({
    type: [String],
    example: ['Parts summed to 1.3; scaled to sum to 1.'],
    description: "What validation changed in the model's answer",
  })
  adjustments!: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'openai',
    description: 'openai or offline',
  })
  provider!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'gpt-4o-mini' })
  model!: string | null;
}

/** `GET /api/articles/{id}`: the article with its cost models (DESIGN.md 5). */
export class ArticleDetailResponseDto extends ArticleResponseDto {
  @ApiProperty({ type: CostModelPartDto, isArray: true })
  cost_models!: CostModelPartDto[];

  @ApiProperty({ type: [String], example: [] })
  cost_model_adjustments!: string[];

  @ApiProperty({ type: String, nullable: true, example: 'openai' })
  provider!: string | null;
}

export class ArticleListResponseDto {
  @ApiProperty({ type: ArticleResponseDto, isArray: true })
  items!: ArticleResponseDto[];

  @ApiProperty({ example: 42 })
  total!: number;

  @ApiProperty({ example: 20 })
  limit!: number;

  @ApiProperty({ example: 0 })
  offset!: number;
}

export class ArticleListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be 1 or more' })
  @Max(200, { message: 'limit must be at most 200' })
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be an integer' })
  @Min(0, { message: 'offset must be 0 or more' })
  offset?: number;
}
