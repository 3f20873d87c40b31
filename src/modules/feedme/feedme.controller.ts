import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAuth } from '../../core/auth/api-auth.decorator.js';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { Public } from '../../core/auth/public.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { ErrorResponseDto } from '../../core/web/error-response.dto.js';
import {
  FeedmeConversationDetailResponseDto,
  FeedmeConversationListResponseDto,
  FeedmeDiffQueryDto,
  FeedmeDiffResponseDto,
  FeedmeExampleResponseDto,
  FeedmeExampleUpdateDto,
  FeedmeHealthResponseDto,
  FeedmeListQueryDto,
  FeedmeReviewDto,
  FeedmeRollbackDto,
  FeedmeSearchDto,
  FeedmeSearchResponseDto,
  FeedmeStatusResponseDto,
  FeedmeUploadResponseDto,
  FeedmeVersionResponseDto,
} from './dto/feedme.dto.js';
import { FeedmeEnabledGuard } from './feedme-enabled.guard.js';
import { FeedmeHealthService } from './feedme-health.service.js';
import { FeedmeService } from './feedme.service.js';
import { TRANSCRIPT_UPLOAD } from './feedme.upload.js';

const ID = { name: 'id', format: 'uuid' } as const;

/** Seed 003's API under /api/v1/feedme: the seed's three endpoints plus the knowledge base's. */
@ApiTags('feedme')
@ApiAuth()
@UseGuards(FeedmeEnabledGuard)
@Controller('api/v1/feedme')
export class FeedmeController {
  constructor(
    private readonly feedme: FeedmeService,
    private readonly healthService: FeedmeHealthService,
  ) {}

  @Post('conversations/upload')
  @RateLimit('upload')
  @ApiOperation({
    summary:
      'Upload a support transcript; 202 and background processing (async mode), 200 and pending (sync mode)',
    description:
      'Seed 003. The transcript is read at once (HTML sanitised first; quoted mail replies stripped) and stored. With FEEDME_ASYNC_PROCESSING=true and auto_process (default true) its processing is queued and the answer is 202 with processing_status "processing"; poll GET .../{id}/status until it is no longer "processing". With FEEDME_ASYNC_PROCESSING=false (or auto_process=false) the answer is 200 with processing_status "pending", and POST .../{id}/reprocess starts it. At most RATE_LIMIT_UPLOADS_PER_MINUTE uploads a minute per API key (seed: 10); the 11th gets 429 with Retry-After.',
  })
  @FileUpload(TRANSCRIPT_UPLOAD)
  @ApiAcceptedResponse({
    type: FeedmeUploadResponseDto,
    description: 'Stored; processing started in the background',
  })
  @ApiOkResponse({
    type: FeedmeUploadResponseDto,
    description: 'Stored with processing_status pending (sync mode, or auto_process=false)',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'Over FEEDME_MAX_FILE_SIZE_MB',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description:
      'A transcript FeedMe cannot read: no speaker turns, an unknown JSON export, an empty email',
  })
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof TRANSCRIPT_UPLOAD>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FeedmeUploadResponseDto> {
    const body = await this.feedme.upload(user, intake.files.transcript_file, {
      title: intake.text.title,
      autoProcess: intake.text.auto_process ?? true,
    });
    res.status(body.status);
    return body;
  }

  @Get('conversations/:id/status')
  @ApiAuth({ owned: 'conversation' })
  @ApiOperation({
    summary: "A transcript's processing status (cheap; poll it with backoff)",
    description: 'Seed 003: poll while processing_status is "processing", 1 s doubling to 10 s.',
  })
  @ApiParam(ID)
  @ApiOkResponse({ type: FeedmeStatusResponseDto })
  status(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    res.setHeader('Cache-Control', 'no-store');
    return this.feedme.status(id, user);
  }

  @Get('health')
  @Public()
  @ApiOperation({
    summary: 'FeedMe health: database (pgvector, HNSW index), worker, Redis, configuration',
    description: 'Seed 003. No API key needed. 503 when the database or Redis is down.',
  })
  @ApiOkResponse({ type: FeedmeHealthResponseDto })
  async health(@Res({ passthrough: true }) res: Response): Promise<FeedmeHealthResponseDto> {
    const report = await this.healthService.check();
    res.status(report.status === 'unhealthy' ? 503 : 200);
    res.setHeader('Cache-Control', 'no-store');
    return report;
  }

  @Get('conversations')
  @ApiOperation({ summary: 'Your transcripts, newest first' })
  @ApiOkResponse({ type: FeedmeConversationListResponseDto })
  list(@CurrentUser() user: AuthUser, @Query() query: FeedmeListQueryDto) {
    return this.feedme.list(user, query.limit ?? 50, query.offset ?? 0, query.status);
  }

  @Get('conversations/:id')
  @ApiAuth({ owned: 'conversation' })
  @ApiOperation({ summary: 'One transcript: its status, its text as read, and its examples' })
  @ApiParam(ID)
  @ApiOkResponse({ type: FeedmeConversationDetailResponseDto })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.feedme.get(id, user);
  }

  @Get('conversations/:id/examples')
  @ApiAuth({ owned: 'conversation' })
  @ApiOperation({ summary: "A transcript's Q&A examples, in transcript order" })
  @ApiParam(ID)
  @ApiOkResponse({ type: FeedmeExampleResponseDto, isArray: true })
  examples(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.feedme.listExamples(id, user);
  }

  @Post('conversations/:id/reprocess')
  @HttpCode(202)
  @ApiAuth({ owned: 'conversation' })
  @ApiOperation({
    summary: 'Process the transcript (again) from the start',
    description:
      'Starts a pending transcript (sync mode) or redoes a finished one: its examples are extracted anew (edits to the old ones are lost).',
  })
  @ApiParam(ID)
  @ApiAcceptedResponse({ type: FeedmeStatusResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Still processing' })
  reprocess(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.feedme.reprocess(id, user);
  }

  @Delete('conversations/:id')
  @HttpCode(204)
  @ApiAuth({ owned: 'conversation' })
  @ApiOperation({
    summary: 'Delete a transcript, its examples and their versions, and its stored file',
  })
  @ApiParam(ID)
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.feedme.delete(id, user);
  }

  @Post('search')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Find the examples closest to a question',
    description:
      'Hybrid: the query is embedded (the gateway), candidates come from the HNSW index and from the keyword index, and each gets score = semantic + 0.2 × keyword × (1 − semantic). Hits below `threshold` (default FEEDME_SIMILARITY_THRESHOLD) are left out; rejected examples never show, low-quality ones only when approved or with include_low_quality. Each hit counts in its usage_count.',
  })
  @ApiBody({
    type: FeedmeSearchDto,
    examples: {
      paraphrase: {
        value: { query: 'I forgot my password, how can I change it?', top_k: 3, threshold: 0.3 },
      },
      tagged: { value: { query: 'refund for a double charge', top_k: 5, tags: ['billing'] } },
    },
  })
  @ApiOkResponse({ type: FeedmeSearchResponseDto })
  search(@CurrentUser() user: AuthUser, @Body() body: FeedmeSearchDto) {
    return this.feedme.search(user, body);
  }

  @Get('examples/:id')
  @ApiAuth({ owned: 'example' })
  @ApiOperation({ summary: 'One example' })
  @ApiParam(ID)
  @ApiOkResponse({ type: FeedmeExampleResponseDto })
  example(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.feedme.getExample(id, user);
  }

  @Patch('examples/:id')
  @ApiAuth({ owned: 'example' })
  @ApiOperation({
    summary: 'Edit an example: a new version, embedded again',
    description:
      'Every change is a new version recording who, when and which fields. Send expected_version to be told (409) when someone else edited it first.',
  })
  @ApiParam(ID)
  @ApiBody({
    type: FeedmeExampleUpdateDto,
    examples: {
      answer: {
        value: {
          answer: 'Use a recovery code, or ask us to verify you by email.',
          change_note: 'Added the no-phone case',
          expected_version: 1,
        },
      },
    },
  })
  @ApiOkResponse({ type: FeedmeExampleResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'expected_version is not the current version',
  })
  edit(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: FeedmeExampleUpdateDto,
  ) {
    return this.feedme.editExample(id, user, body);
  }

  @Get('examples/:id/versions')
  @ApiAuth({ owned: 'example' })
  @ApiOperation({ summary: "An example's history, newest first" })
  @ApiParam(ID)
  @ApiOkResponse({ type: FeedmeVersionResponseDto, isArray: true })
  versions(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.feedme.versions(id, user);
  }

  @Get('examples/:id/diff')
  @ApiAuth({ owned: 'example' })
  @ApiOperation({ summary: 'Word diff of two versions, field by field (default: the last change)' })
  @ApiParam(ID)
  @ApiOkResponse({ type: FeedmeDiffResponseDto })
  diff(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: FeedmeDiffQueryDto) {
    return this.feedme.diff(id, user, query.from, query.to);
  }

  @Post('examples/:id/rollback')
  @HttpCode(200)
  @ApiAuth({ owned: 'example' })
  @ApiOperation({ summary: "Make an earlier version's content current again (as a new version)" })
  @ApiParam(ID)
  @ApiBody({
    type: FeedmeRollbackDto,
    examples: { first: { value: { version: 1, change_note: 'The edit was wrong' } } },
  })
  @ApiOkResponse({ type: FeedmeExampleResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'That version is already current' })
  rollback(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: FeedmeRollbackDto,
  ) {
    return this.feedme.rollback(id, user, body.version, body.change_note);
  }

  @Post('examples/:id/review')
  @HttpCode(200)
  @ApiAuth({ owned: 'example' })
  @ApiOperation({
    summary: 'Approve or reject an example',
    description:
      'Rejected examples never show in search; approved ones show even when low quality.',
  })
  @ApiParam(ID)
  @ApiBody({
    type: FeedmeReviewDto,
    examples: { approve: { value: { review_status: 'approved' } } },
  })
  @ApiOkResponse({ type: FeedmeExampleResponseDto })
  review(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: FeedmeReviewDto) {
    return this.feedme.review(id, user, body.review_status);
  }
}
