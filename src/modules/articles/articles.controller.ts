import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseBoolPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuth } from '../../core/auth/api-auth.decorator.js';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { ErrorResponseDto } from '../../core/web/error-response.dto.js';
import { ArticlesService } from './articles.service.js';
import { ANALYZE_UPLOAD } from './articles.upload.js';
import {
  ArticleCostModelsResponseDto,
  ArticleDetailResponseDto,
  ArticleListQueryDto,
  ArticleListResponseDto,
  ArticleResponseDto,
  ArticleStatusResponseDto,
  CostIndexCreateDto,
  CostIndexResponseDto,
  CostIndexUpsertDto,
} from './dto/index.js';

@ApiTags('articles')
@ApiAuth()
@Controller('api')
export class ArticlesController {
  constructor(private readonly articles: ArticlesService) {}

  @Post('analyze')
  @HttpCode(201)
  @RateLimit('upload')
  @ApiOperation({
    summary: 'Create an article and start its analysis (seed 001)',
    description:
      'Multipart form: `articleName` (required), `description`, `productSpecification` (required: PDF, DOCX, text/Markdown, CSV, JSON, HTML or an image), `drawing`. Answers 201 at once with `processing_status: "processing"`; the weight is extracted and the cost model generated in the background. Poll `GET /api/articles/{id}/status` every 2-3 s until `completed` or `failed`, then read `GET /api/articles/{id}`.\n\n' +
      '```bash\ncurl -X POST http://localhost:3000/api/analyze -H "X-API-Key: $KEY" \\\n  -F "articleName=Test Widget" -F "description=Test description" \\\n  -F "productSpecification=@/path/to/spec.txt"\n```',
  })
  @FileUpload(ANALYZE_UPLOAD)
  @ApiCreatedResponse({ type: ArticleResponseDto, description: 'Stored; the analysis is queued' })
  analyze(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof ANALYZE_UPLOAD>,
  ): Promise<ArticleResponseDto> {
    return this.articles.create(user, intake);
  }

  @Get('articles')
  @ApiOperation({ summary: 'Your articles, newest first, paginated' })
  @ApiOkResponse({ type: ArticleListResponseDto })
  list(@CurrentUser() user: AuthUser, @Query() query: ArticleListQueryDto) {
    return this.articles.list(user, query.limit ?? 20, query.offset ?? 0);
  }

  @Get('articles/:id/status')
  @ApiAuth({ owned: 'article' })
  @ApiOperation({
    summary: "An article's processing status (cheap; poll every 2-3 s)",
    description:
      'Statuses: `pending` (not yet started: a reprocess before a worker takes it), `processing` (with `processing_step`: `queued`, `extracting_metadata`, `generating_cost_models`), `completed`, `failed` (`processing_error` says why), `paused` (the LLM quota ran out). Stop polling at completed, failed or paused.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ArticleStatusResponseDto })
  status(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.articles.status(id, user);
  }

  @Get('articles/:id')
  @ApiAuth({ owned: 'article' })
  @ApiOperation({
    summary: 'An article with its unit weight and cost model',
    description:
      '`unit_weight` is in kilograms. An implausible reported weight (negative, zero, above 100 t) is not stored: `weight_review` says why and `unit_weight_reported_grams` keeps what the model said.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ArticleDetailResponseDto })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.articles.get(id, user);
  }

  @Get('articles/:id/cost-models')
  @ApiAuth({ owned: 'article' })
  @ApiOperation({
    summary: "An article's cost model: parts per cost index, summing to 1",
    description:
      'Only indices that exist are referenced; `offered_index_ids` lists what the model was offered and `adjustments` what validation changed (unknown ids dropped, parts rescaled).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ArticleCostModelsResponseDto })
  costModels(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.articles.costModels(id, user);
  }

  @Post('articles/:id/reprocess')
  @HttpCode(202)
  @ApiAuth({ owned: 'article' })
  @ApiOperation({
    summary: 'Analyse the article again from its stored specification',
    description: 'The article goes back to `pending`; weight and cost model are produced anew.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: ArticleResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Still processing, or the specification file has expired',
  })
  reprocess(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.articles.reprocess(id, user);
  }

  @Delete('articles/:id')
  @HttpCode(204)
  @ApiAuth({ owned: 'article' })
  @ApiOperation({ summary: 'Delete an article, its cost model and its stored files' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.articles.delete(id, user);
  }

  @Get('cost-indices')
  @ApiOperation({ summary: 'The cost indices cost models are built from' })
  @ApiQuery({ name: 'include_inactive', required: false, type: Boolean, example: false })
  @ApiOkResponse({ type: CostIndexResponseDto, isArray: true })
  listIndices(
    @Query('include_inactive', new ParseBoolPipe({ optional: true })) includeInactive?: boolean,
  ) {
    return this.articles.listIndices(includeInactive ?? false);
  }

  @Post('cost-indices')
  @ApiAuth({ admin: true })
  @ApiOperation({ summary: 'Add a cost index (administrators)' })
  @ApiBody({
    type: CostIndexCreateDto,
    examples: {
      titanium: { value: { code: 'titanium', name: 'Titanium', description: 'Titanium bar' } },
    },
  })
  @ApiCreatedResponse({ type: CostIndexResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The code exists' })
  createIndex(@CurrentUser() user: AuthUser, @Body() body: CostIndexCreateDto) {
    return this.articles.createIndex(user, body);
  }

  @Put('cost-indices')
  @ApiAuth({ admin: true })
  @ApiOperation({
    summary: 'Create or update cost indices by code (administrators)',
    description:
      'Indices are never deleted, since stored cost models refer to them: `active: false` stops offering one.',
  })
  @ApiOkResponse({ type: CostIndexResponseDto, isArray: true })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Administrators only' })
  upsertIndices(@CurrentUser() user: AuthUser, @Body() body: CostIndexUpsertDto) {
    return this.articles.upsertIndices(user, body.indices);
  }
}
