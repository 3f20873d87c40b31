import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const STREAM_ID = '3b0c5a3e-1f2d-4e5f-8a9b-0c1d2e3f4a5b';
const SESSION_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const CHATBOT_ID = 'c2a4e6f8-0b1d-4f3e-9a7c-5e3d1b9f7a2c';

/** seed 004: `image_data` — a base64 image with its name and type. */
export class ImageDataDto {
  @ApiProperty({ example: 'image.jpg' })
  @IsString()
  @Length(1, 255)
  name!: string;

  @ApiProperty({
    example:
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    description:
      'The image, base64 (a data: URL prefix is accepted). PNG, JPEG, GIF or WebP, decided by its bytes; at most CONVERSATIONS_IMAGE_MAX_KB.',
  })
  @IsString()
  data!: string;

  @ApiProperty({ example: 'image/png', description: 'Must agree with what the bytes are' })
  @IsString()
  @MaxLength(100)
  mime!: string;
}

export class HistoryEntryDto {
  @ApiProperty({ enum: ['user', 'assistant'], example: 'user' })
  @IsIn(['user', 'assistant'])
  role!: 'user' | 'assistant';

  @ApiProperty({ example: 'Hi' })
  @IsString()
  @MaxLength(20000)
  content!: string;
}

/** seed 004: the body of POST /api/process-message. */
export class ProcessMessageDto {
  @ApiPropertyOptional({
    example: 'user-123',
    deprecated: true,
    description: 'Accepted for compatibility and ignored: the message belongs to the caller.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  user_id?: string;

  @ApiProperty({
    example: 'test',
    description: "The chatbot's id, or the slug you gave it (e.g. `test`)",
  })
  @IsString()
  @Length(1, 100)
  chatbot_id!: string;

  @ApiProperty({ example: 'Hello', maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  message_text!: string;

  @ApiPropertyOptional({ type: ImageDataDto, nullable: true, example: null })
  @IsOptional()
  @ValidateNested()
  @Type(() => ImageDataDto)
  image_data?: ImageDataDto | null;

  @ApiPropertyOptional({
    type: [HistoryEntryDto],
    example: [],
    description:
      'Earlier turns, used only to start a new session (an existing session keeps its own history).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => HistoryEntryDto)
  conversation_history?: HistoryEntryDto[];

  @ApiPropertyOptional({
    example: SESSION_ID,
    description: 'Continue this conversation session; a new one is started when absent or unknown.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  session_id?: string;

  @ApiPropertyOptional({
    example: {},
    description: 'Per-message options. `flow`: answer with this flow instead of routing.',
  })
  @IsOptional()
  @IsObject()
  configuration?: Record<string, unknown>;
}

/** seed 004: the body of POST /api/upload-image. */
export class UploadImageDto {
  @ApiProperty({ example: 'test' })
  @IsString()
  @Length(1, 100)
  chatbot_id!: string;

  @ApiProperty({ type: ImageDataDto })
  @ValidateNested()
  @Type(() => ImageDataDto)
  image_data!: ImageDataDto;

  @ApiProperty({ example: 'What is this?' })
  @IsString()
  @Length(1, 10000)
  message_text!: string;

  @ApiPropertyOptional({ example: {} })
  @IsOptional()
  @IsObject()
  configuration?: Record<string, unknown>;

  @ApiPropertyOptional({ example: SESSION_ID })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  session_id?: string;
}

/** seed 004: the answer of POST /api/process-message (and upload-image). */
export class ProcessMessageResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ example: SESSION_ID })
  session_id!: string;

  @ApiProperty({ example: STREAM_ID })
  streaming_session_id!: string;

  @ApiProperty({
    example: 'main',
    description:
      "The flow the rules chose; `auto` when the model chooses (the stream's `flow` events say which).",
  })
  flow_type!: string;

  @ApiProperty({ example: `/api/stream-events/${STREAM_ID}` })
  streaming_url!: string;
}

export class UploadedImageDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'image/png' })
  mime!: string;

  @ApiProperty({ example: 68 })
  size_bytes!: number;
}

export class UploadImageResponseDto extends ProcessMessageResponseDto {
  @ApiProperty({ type: UploadedImageDto })
  image!: UploadedImageDto;
}

export class StreamEventsQueryDto {
  @ApiPropertyOptional({
    example: 50,
    description:
      'The last event id the client has (also read from the Last-Event-ID header); events after it are returned.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  last_event_id?: number;
}

export class StreamEventDto {
  @ApiProperty({
    example: 1,
    description: 'The sequence within the stream: the SSE id and the cursor',
  })
  id!: number;

  @ApiProperty({ enum: ['start', 'flow', 'citation', 'token', 'error', 'done'], example: 'token' })
  event!: string;

  @ApiProperty({ example: { token: 'Hello', markers: { flow: 'main' } } })
  data!: Record<string, unknown>;

  @ApiProperty({ example: '2024-01-01T12:00:00.000Z' })
  timestamp!: string;
}

/** seed 004: the answer of GET /api/stream-events/{id}. */
export class StreamEventsResponseDto {
  @ApiProperty({ type: [StreamEventDto] })
  events!: StreamEventDto[];

  @ApiProperty({ enum: ['active', 'completed', 'failed', 'stopped'], example: 'active' })
  session_status!: 'active' | 'completed' | 'failed' | 'stopped';

  @ApiProperty({
    example: 1,
    description: 'The id of the last event returned (the cursor to send next time)',
  })
  last_event_id!: number;

  @ApiProperty({
    example: true,
    description: 'More events will come (the answer is still being written) or are already waiting',
  })
  has_more!: boolean;
}

export class StopResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ example: STREAM_ID })
  streaming_session_id!: string;

  @ApiProperty({ enum: ['active', 'completed', 'failed', 'stopped'], example: 'active' })
  session_status!: string;
}

/** seed 004: GET /api/conversation-config/{chatbotId}. */
export class ConversationConfigurationDto {
  @ApiProperty({ example: CHATBOT_ID })
  chatbot_id!: string;

  @ApiProperty({ example: 'test' })
  slug!: string;

  @ApiProperty({ example: 'Support bot' })
  name!: string;

  @ApiProperty({ example: true })
  image_enabled!: boolean;

  @ApiProperty({ example: 'danish' })
  language!: string;

  @ApiProperty({ example: 'main' })
  default_flow!: string;

  @ApiProperty({ example: { main: 5 } })
  topKSettings!: Record<string, number>;

  @ApiProperty({
    example: { main: 'sk-…a1b2' },
    description: 'Masked: never returned in full. null when the flow has none.',
  })
  flowApiKeys!: Record<string, string | null>;

  @ApiProperty({ example: { main: 'gpt-4o-mini' } })
  flowModels!: Record<string, string | null>;
}

export class ConversationConfigResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ type: ConversationConfigurationDto })
  configuration!: ConversationConfigurationDto;
}

/** seed 004: GET /api/conversation-health. */
export class ConversationHealthDto {
  @ApiProperty({ enum: ['healthy', 'unhealthy'], example: 'healthy' })
  status!: 'healthy' | 'unhealthy';

  @ApiProperty({ enum: ['connected', 'disconnected'], example: 'connected' })
  database!: 'connected' | 'disconnected';

  @ApiProperty({ example: 5, description: 'Answers being written now (all instances)' })
  active_streams!: number;

  @ApiProperty({ example: '2024-01-01T12:00:00.000Z' })
  timestamp!: string;
}

export class ConversationMessageDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['user', 'assistant'] })
  role!: string;

  @ApiProperty({ example: 'Hello' })
  content!: string;

  @ApiProperty({ nullable: true, example: 'main' })
  flow_type!: string | null;

  @ApiProperty({ nullable: true, example: STREAM_ID })
  streaming_session_id!: string | null;

  @ApiProperty({ example: [] })
  citations!: unknown[];

  @ApiProperty()
  created_at!: Date;
}

export class ConversationSessionDto {
  @ApiProperty({ example: SESSION_ID })
  id!: string;

  @ApiProperty({ example: CHATBOT_ID })
  chatbot_id!: string;

  @ApiProperty({ example: 'Hello' })
  title!: string;

  @ApiProperty()
  last_activity_at!: Date;

  @ApiProperty({ type: [ConversationMessageDto] })
  messages!: ConversationMessageDto[];

  @ApiProperty({
    nullable: true,
    example: null,
    description: 'The answer still being written, if any: resume it from its streaming_url',
  })
  active_stream!: { streaming_session_id: string; streaming_url: string } | null;
}

export class SessionListQueryDto {
  @ApiPropertyOptional({
    example: 'test',
    description: 'Only sessions of this chatbot (id or slug)',
  })
  @IsOptional()
  @IsString()
  chatbot_id?: string;
}
