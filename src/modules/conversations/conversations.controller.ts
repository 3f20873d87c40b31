import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAuth } from '../../core/auth/api-auth.decorator.js';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { Public } from '../../core/auth/public.decorator.js';
import { ErrorResponseDto } from '../../core/web/error-response.dto.js';
import { ChatbotsService } from './chatbots.service.js';
import { ConversationsService } from './conversations.service.js';
import {
  ConversationConfigResponseDto,
  ConversationHealthDto,
  ConversationSessionDto,
  ProcessMessageDto,
  ProcessMessageResponseDto,
  SessionListQueryDto,
  StopResponseDto,
  StreamEventsQueryDto,
  StreamEventsResponseDto,
  UploadImageDto,
  UploadImageResponseDto,
} from './dto/conversation.dto.js';
import { StreamEventsService } from './streaming/stream-events.service.js';

/** The cursor from `Last-Event-ID` (SSE reconnects send it) or `?last_event_id=`. */
function cursorFrom(header: string | undefined, query: number | undefined): number {
  if (header !== undefined && header !== '') {
    const value = Number(header);
    if (!Number.isInteger(value) || value < 0)
      throw new BadRequestException('Last-Event-ID must be a non-negative integer');
    return value;
  }
  return query ?? 0;
}

/** Seed 004's endpoints: messages in, answers out as a resumable stream of events. */
@ApiTags('conversations')
@ApiAuth()
@Controller('api')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly chatbots: ChatbotsService,
    private readonly sse: StreamEventsService,
  ) {}

  @Post('process-message')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a message; the answer is written in the background',
    description:
      'Seed 004. Answers at once with the ids; follow the answer at `streaming_url` (polling JSON, or SSE with `Accept: text/event-stream`). The message is routed to its flows (rules first, the model when they do not decide), each flow retrieves its top-K knowledge examples and cites them, and tokens are stored as events. `user_id` is ignored: the message belongs to the caller.',
  })
  @ApiBody({
    type: ProcessMessageDto,
    examples: {
      seed: {
        summary: "The seed's curl",
        value: { user_id: 'test', chatbot_id: 'test', message_text: 'Hello' },
      },
      full: {
        summary: 'Every field',
        value: {
          user_id: 'user-123',
          chatbot_id: 'test',
          message_text: 'Hello',
          image_data: null,
          conversation_history: [],
          session_id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
          configuration: {},
        },
      },
    },
  })
  @ApiOkResponse({ type: ProcessMessageResponseDto })
  @ApiAuth({ owned: 'chatbot' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'An image for a chatbot without images, or an unknown configuration.flow',
  })
  processMessage(@CurrentUser() user: AuthUser, @Body() body: ProcessMessageDto) {
    return this.conversations.processMessage(user, body);
  }

  @Get('stream-events/:streamingSessionId')
  @ApiOperation({
    summary: "An answer's events after a cursor (polling), or the same stream as SSE",
    description:
      "Seed 004. JSON: the events after `last_event_id` (query) or `Last-Event-ID` (header), the stream's status, the new cursor and whether more come. With `Accept: text/event-stream`: Server-Sent Events (`id:` = the event id, `event:` = its name, `data:` = the same event object), every event after the cursor exactly once, heartbeats when idle; the connection ends after `done` or `error`. Events: start, flow, citation, token (`{token, markers}`), error, done.",
  })
  @ApiParam({ name: 'streamingSessionId', format: 'uuid' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, example: '50' })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ type: StreamEventsResponseDto })
  @ApiAuth({ owned: 'streaming session' })
  async streamEvents(
    @CurrentUser() user: AuthUser,
    @Param('streamingSessionId') id: string,
    @Query() query: StreamEventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const after = cursorFrom(lastEventId, query.last_event_id);
    if (accept?.includes('text/event-stream')) {
      await this.conversations.checkStream(id, user); // the shared 404 before any SSE header
      await this.sse.open(id, after, req, res);
      return;
    }
    const body: StreamEventsResponseDto = await this.conversations.events(id, user, after);
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  }

  @Post('stream-events/:streamingSessionId/stop')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Stop an answer',
    description:
      'The answer ends with a `done` event carrying `stopped: true` and the session becomes `stopped`; what was written so far is kept. Closing an SSE connection does not stop anything.',
  })
  @ApiParam({ name: 'streamingSessionId', format: 'uuid' })
  @ApiAcceptedResponse({ type: StopResponseDto })
  @ApiAuth({ owned: 'streaming session' })
  stop(@CurrentUser() user: AuthUser, @Param('streamingSessionId') id: string) {
    return this.conversations.stop(id, user);
  }

  @Get('conversation-config/:chatbotId')
  @ApiOperation({
    summary: "A chatbot's conversation configuration",
    description: 'Seed 004. `flowApiKeys` are masked: keys are never returned in full.',
  })
  @ApiParam({ name: 'chatbotId', example: 'test', description: 'The id or the slug' })
  @ApiOkResponse({ type: ConversationConfigResponseDto })
  @ApiAuth({ owned: 'chatbot' })
  config(@CurrentUser() user: AuthUser, @Param('chatbotId') chatbotId: string) {
    return this.chatbots.configuration(chatbotId, user);
  }

  @Post('upload-image')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a message with an image',
    description:
      "Seed 004. The image (base64) is checked by size (CONVERSATIONS_IMAGE_MAX_KB, 413) and by its bytes (PNG, JPEG, GIF, WebP; 415), stored with the session, and the message is answered like process-message, by the chatbot's vision flow when it has one.",
  })
  @ApiBody({
    type: UploadImageDto,
    examples: {
      seed: {
        value: {
          chatbot_id: 'test',
          image_data: {
            name: 'image.png',
            data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
            mime: 'image/png',
          },
          message_text: 'What is this?',
          configuration: {},
        },
      },
    },
  })
  @ApiOkResponse({ type: UploadImageResponseDto })
  @ApiAuth({ owned: 'chatbot' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'The chatbot does not take images',
  })
  uploadImage(@CurrentUser() user: AuthUser, @Body() body: UploadImageDto) {
    return this.conversations.uploadImage(user, body);
  }

  @Get('conversation-health')
  @Public()
  @ApiOperation({ summary: 'Health of conversation processing', description: 'Seed 004.' })
  @ApiOkResponse({ type: ConversationHealthDto })
  async health(@Res({ passthrough: true }) res: Response): Promise<ConversationHealthDto> {
    const report = await this.conversations.healthReport();
    if (report.status !== 'healthy') res.status(503);
    return report;
  }

  @Get('conversation-sessions')
  @ApiOperation({ summary: 'Your conversation sessions, most recent first' })
  list(@CurrentUser() user: AuthUser, @Query() query: SessionListQueryDto) {
    return this.conversations.listSessions(user, query.chatbot_id);
  }

  @Get('conversation-sessions/:id')
  @ApiOperation({
    summary: 'A conversation session with its history',
    description: '`active_stream` names the answer still being written, to resume it.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConversationSessionDto })
  @ApiAuth({ owned: 'conversation session' })
  session(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.conversations.session(id, user);
  }
}
