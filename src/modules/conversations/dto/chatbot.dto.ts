import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DEFAULT_PROMPT_TEMPLATE } from '../flows/prompt-template.js';

const KEY = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class FlowDto {
  @ApiProperty({ example: 'main', description: 'Lower-case letters, digits, - and _' })
  @Transform(trim)
  @Matches(KEY, { message: 'flow_key must be lower-case letters, digits, - or _ (at most 63)' })
  flow_key!: string;

  @ApiPropertyOptional({ example: 'General questions' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({
    example: DEFAULT_PROMPT_TEMPLATE,
    description:
      'System prompt. Placeholders: {{chatbot_name}}, {{language}}, {{flow}}, {{examples}}, {{previous_output}}, {{image}}.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 20000)
  prompt_template?: string;

  @ApiPropertyOptional({ example: 5, description: 'Knowledge examples retrieved (0: none)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(50)
  top_k?: number;

  @ApiPropertyOptional({ example: 0.2, description: 'Examples scoring below are left out' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  min_score?: number | null;

  @ApiPropertyOptional({ example: 'gpt-4o-mini', description: 'Tried first; LLM_MODELS follow' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string | null;

  @ApiPropertyOptional({
    example: 'sk-flow-specific-key',
    description:
      'Write-only: answers show it masked. Omit to keep the stored one, null to remove it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  api_key?: string | null;

  @ApiPropertyOptional({
    example: ['price', 'invoice'],
    description: 'A message containing one of these (whole words) is routed here',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  keywords?: string[];

  @ApiPropertyOptional({ enum: ['parallel', 'sequential'], example: 'parallel' })
  @IsOptional()
  @IsIn(['parallel', 'sequential'])
  execution?: 'parallel' | 'sequential';

  @ApiPropertyOptional({ example: false, description: 'Runs with every message' })
  @IsOptional()
  @IsBoolean()
  always_run?: boolean;

  @ApiPropertyOptional({ example: false, description: 'Answers messages that carry an image' })
  @IsOptional()
  @IsBoolean()
  vision?: boolean;

  @ApiPropertyOptional({ type: [String], example: null, nullable: true })
  @IsOptional()
  @IsArray()
  @IsUUID('all', { each: true })
  knowledge_base_ids?: string[] | null;
}

export class ChatbotCreateDto {
  @ApiProperty({ example: 'test', description: 'Your short name for it, usable as chatbot_id' })
  @Transform(trim)
  @Matches(KEY, { message: 'slug must be lower-case letters, digits, - or _ (at most 63)' })
  slug!: string;

  @ApiProperty({ example: 'Support bot' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'danish' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  language?: string;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  image_enabled?: boolean;

  @ApiPropertyOptional({ example: 'main' })
  @IsOptional()
  @Matches(KEY)
  default_flow?: string;

  @ApiPropertyOptional({
    type: [FlowDto],
    description: 'Its flows, in order (one `main` flow with the default prompt when absent)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => FlowDto)
  flows?: FlowDto[];
}

export class FlowResponseDto {
  @ApiProperty({ example: 'main' })
  flow_key!: string;

  @ApiProperty({ example: 0 })
  position!: number;

  @ApiProperty({ nullable: true, example: 'General questions' })
  description!: string | null;

  @ApiProperty({ example: DEFAULT_PROMPT_TEMPLATE })
  prompt_template!: string;

  @ApiProperty({ example: 5 })
  top_k!: number;

  @ApiProperty({ nullable: true, example: null })
  min_score!: number | null;

  @ApiProperty({ nullable: true, example: 'gpt-4o-mini' })
  model!: string | null;

  @ApiProperty({ nullable: true, example: 'sk-…-key', description: 'Masked' })
  api_key!: string | null;

  @ApiProperty({ example: ['price'] })
  keywords!: string[];

  @ApiProperty({ enum: ['parallel', 'sequential'] })
  execution!: string;

  @ApiProperty()
  always_run!: boolean;

  @ApiProperty()
  vision!: boolean;

  @ApiProperty({ type: [String], nullable: true })
  knowledge_base_ids!: string[] | null;
}

export class ChatbotResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'test' })
  slug!: string;

  @ApiProperty({ example: 'Support bot' })
  name!: string;

  @ApiProperty({ example: 'danish' })
  language!: string;

  @ApiProperty()
  image_enabled!: boolean;

  @ApiProperty({ example: 'main' })
  default_flow!: string;

  @ApiProperty({ type: [FlowResponseDto] })
  flows!: FlowResponseDto[];

  @ApiProperty()
  created_at!: Date;

  @ApiProperty()
  updated_at!: Date;
}
