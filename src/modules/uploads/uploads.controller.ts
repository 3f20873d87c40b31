import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAuth } from '../../core/auth/api-auth.decorator.js';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { ErrorResponseDto } from '../../core/web/error-response.dto.js';
import {
  UploadDetailQueryDto,
  UploadDetailResponseDto,
  UploadListQueryDto,
  UploadResponseDto,
  UploadResultsQueryDto,
  UploadTemplateUpdateDto,
} from './dto/upload.dto.js';
import { COMPANY_LIST_UPLOAD } from './uploads.upload.js';
import { UploadsService } from './uploads.service.js';

@ApiTags('uploads')
@ApiAuth()
@Controller('api')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post('upload-from-frontend')
  @HttpCode(202)
  @RateLimit('upload')
  @ApiOperation({
    summary: 'Upload a company list (CSV or XLSX); processing starts at once',
    description:
      "Seed 000. The file is checked (a header row and at least one data row), stored, and its extraction queued in the same request: websites are found in every row (a website column, a web address in any column, or the domain of a business email), scraped, and a message is written for each. Follow progress at `GET /api/uploads/{id}`. The seed's `userId` field is accepted but ignored: the upload belongs to the authenticated user.",
  })
  @FileUpload(COMPANY_LIST_UPLOAD)
  @ApiAcceptedResponse({ type: UploadResponseDto, description: 'Stored; processing has started' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'A damaged spreadsheet, no data rows, or over a spreadsheet limit',
  })
  create(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof COMPANY_LIST_UPLOAD>,
  ): Promise<UploadResponseDto> {
    return this.uploads.create(user, intake.files.file, {
      template: intake.text.template,
      offer: intake.text.offer,
    });
  }

  @Get('uploads')
  @ApiOperation({
    summary: 'Your uploads, newest first, with their counts',
    description: 'The counts come from the same query as the detail, so the two always agree.',
  })
  @ApiOkResponse({ type: UploadResponseDto, isArray: true })
  list(@CurrentUser() user: AuthUser, @Query() query: UploadListQueryDto) {
    return this.uploads.list(user, query.limit ?? 50, query.offset ?? 0);
  }

  @Get('uploads/:id')
  @ApiAuth({ owned: 'upload' })
  @ApiOperation({
    summary: 'One upload with its counts, its websites and the rows without a website',
    description:
      'Each website: scrape outcome (ok, http_error, timeout, blocked_by_robots, not_html, too_large, dns_error, refused_private), page title, emails and social links found, and its message with the excerpts it was grounded in.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UploadDetailResponseDto })
  get(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() query: UploadDetailQueryDto,
  ) {
    return this.uploads.get(id, user, query.websitesLimit ?? 500, query.websitesOffset ?? 0);
  }

  @Post('uploads/:id/retry')
  @HttpCode(202)
  @ApiAuth({ owned: 'upload' })
  @ApiOperation({
    summary: 'Retry the failed websites',
    description:
      'Every website whose scrape failed (or that could not be processed) is scraped again, bypassing the scrape cache, and gets a new message. A paused upload (LLM quota) resumes.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: UploadResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Nothing failed, or the file is still being read',
  })
  retry(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.uploads.retry(id, user);
  }

  @Post('uploads/:id/reprocess')
  @HttpCode(202)
  @ApiAuth({ owned: 'upload' })
  @ApiOperation({
    summary: 'Process the file again from the start',
    description: 'Rows and websites are read again; fresh scrapes are reused from the cache.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: UploadResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Still processing, or the file has expired',
  })
  reprocess(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.uploads.reprocess(id, user);
  }

  @Put('uploads/:id/template')
  @ApiAuth({ owned: 'upload' })
  @ApiOperation({
    summary: "Change the upload's message template; every message is written again",
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UploadResponseDto })
  updateTemplate(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: UploadTemplateUpdateDto,
  ) {
    return this.uploads.updateTemplate(id, user, body.template, body.offer);
  }

  @Delete('uploads/:id')
  @HttpCode(204)
  @ApiAuth({ owned: 'upload' })
  @ApiOperation({ summary: 'Delete an upload, its results and its stored file' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.uploads.delete(id, user);
  }

  @Get('uploads/:id/results')
  @ApiAuth({ owned: 'upload' })
  @ApiOperation({
    summary: 'Download the results: every original row plus website, scrape status and message',
    description:
      'XLSX (default) or CSV. Partial results are downloadable while the upload is processing. Cells that start with = + - @ are written as text.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiOkResponse({ description: 'The spreadsheet, as a download' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The file is still being read' })
  async results(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() query: UploadResultsQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    await this.uploads.sendResults(id, user, query.format ?? 'xlsx', res);
  }
}
