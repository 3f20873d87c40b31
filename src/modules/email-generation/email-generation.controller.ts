import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAuth } from '../../core/auth/api-auth.decorator.js';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { RateLimit } from '../../core/auth/rate-limit.decorator.js';
import { FileUpload, UploadedIntake, type UploadIntake } from '../../core/files/index.js';
import { ErrorResponseDto } from '../../core/web/error-response.dto.js';
import {
  EmailDownloadQueryDto,
  EmailJobListQueryDto,
  EmailJobResponseDto,
  EmailJobSettingsDto,
  EmailJobVersionDto,
  EmailPreviewDto,
  EmailPreviewResponseDto,
  EmailRerunDto,
  EmailResumeDto,
  EmailRowDto,
  EmailRowsQueryDto,
} from './dto/email-job.dto.js';
import { DEFAULT_TEMPLATE } from './email-prompt.js';
import { EmailGenerationService } from './email-generation.service.js';
import { LEAD_FILE_UPLOAD } from './email-generation.upload.js';

const JOB_PARAM = { name: 'job_id', format: 'uuid' } as const;

@ApiTags('email-generation')
@ApiAuth()
@Controller('api/email-generation')
export class EmailGenerationController {
  constructor(private readonly emails: EmailGenerationService) {}

  @Post('upload')
  @HttpCode(202)
  @RateLimit('upload')
  @ApiOperation({
    summary: 'Upload a lead file (CSV or XLSX, 50 MB); one email per row is generated',
    description:
      'Seed 002. Every row is stored before this answers; columns are mapped automatically (HubSpot, Apollo, Salesforce, Sales Navigator names) and `column_map` overrides them. Generation starts at once unless `auto_start=false`. Poll `GET /api/email-generation/status/{job_id}` (or stream `.../jobs/{job_id}/events`), then `GET /api/email-generation/download/{job_id}`.',
  })
  @FileUpload(LEAD_FILE_UPLOAD)
  @ApiAcceptedResponse({ type: EmailJobResponseDto, description: 'Stored; generation has started' })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'A template placeholder nothing fills, a bad column_map or budget_usd',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description:
      'A damaged spreadsheet, no data rows, or no usable column (the message lists the headers found)',
  })
  upload(
    @CurrentUser() user: AuthUser,
    @UploadedIntake() intake: UploadIntake<typeof LEAD_FILE_UPLOAD>,
  ): Promise<EmailJobResponseDto> {
    return this.emails.create(user, intake.files.file, {
      template: intake.text.template,
      offer: intake.text.offer,
      senderRole: intake.text.sender_role,
      columnMap: intake.text.column_map,
      budgetUsd: intake.text.budget_usd,
      autoStart: intake.text.auto_start,
    });
  }

  @Get('status/:job_id')
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary: "The seed's status poll: progress, counts, rate, ETA, tokens and cost",
  })
  @ApiParam(JOB_PARAM)
  @ApiOkResponse({ type: EmailJobResponseDto })
  status(@CurrentUser() user: AuthUser, @Param('job_id') id: string) {
    return this.emails.get(id, user);
  }

  @Get('download/:job_id')
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary:
      'Download the emails: the original columns in order, then generated_email, status, error',
    description:
      'XLSX (default) or CSV, streamed, at any time: while the job runs or is paused the file is partial and its name says so (`leads-emails-partial-300-of-500.xlsx`). A failed row carries its error. Cells starting with = + - @ are written as text.',
  })
  @ApiParam(JOB_PARAM)
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiOkResponse({ description: 'The spreadsheet, as a download' })
  async download(
    @CurrentUser() user: AuthUser,
    @Param('job_id') id: string,
    @Query() query: EmailDownloadQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    await this.emails.download(id, user, query.format ?? 'xlsx', res);
  }

  @Get('jobs')
  @ApiOperation({ summary: 'Your email jobs, newest first' })
  @ApiOkResponse({ type: EmailJobResponseDto, isArray: true })
  list(@CurrentUser() user: AuthUser, @Query() query: EmailJobListQueryDto) {
    return this.emails.list(user, query.limit ?? 50, query.offset ?? 0);
  }

  @Get('jobs/:job_id')
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({ summary: 'One email job (the same answer as the status poll)' })
  @ApiParam(JOB_PARAM)
  @ApiOkResponse({ type: EmailJobResponseDto })
  get(@CurrentUser() user: AuthUser, @Param('job_id') id: string) {
    return this.emails.get(id, user);
  }

  @Get('jobs/:job_id/rows')
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({ summary: "The job's rows with their emails, verdicts and errors, in file order" })
  @ApiParam(JOB_PARAM)
  @ApiOkResponse({ type: EmailRowDto, isArray: true })
  rows(
    @CurrentUser() user: AuthUser,
    @Param('job_id') id: string,
    @Query() query: EmailRowsQueryDto,
  ) {
    return this.emails.rowsOf(id, user, query.status ?? null, query.limit ?? 50, query.offset ?? 0);
  }

  @Get('jobs/:job_id/versions')
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({ summary: 'Earlier template versions whose results are kept' })
  @ApiParam(JOB_PARAM)
  @ApiOkResponse({ type: EmailJobVersionDto, isArray: true })
  versions(@CurrentUser() user: AuthUser, @Param('job_id') id: string) {
    return this.emails.versions(id, user);
  }

  @Get('jobs/:job_id/events')
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary: 'Server-sent events: the status answer each time it changes, until the job finishes',
  })
  @ApiParam(JOB_PARAM)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: '`event: status` lines whose data is the status answer' })
  async events(
    @CurrentUser() user: AuthUser,
    @Param('job_id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const updates = this.emails.watch(id, user);
    const first = await updates.next(); // a 404 is thrown before any header is sent
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    let open = true;
    req.on('close', () => (open = false));
    let next = first;
    while (open && !next.done) {
      res.write(`event: status\ndata: ${JSON.stringify(next.value)}\n\n`);
      next = await updates.next();
    }
    await updates.return(undefined);
    res.end();
  }

  @Post('jobs/:job_id/preview')
  @HttpCode(200)
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary: 'Write the first N rows now with these settings, storing nothing (tune the template)',
  })
  @ApiParam(JOB_PARAM)
  @ApiBody({
    type: EmailPreviewDto,
    examples: {
      preview: {
        value: { rows: 3, template: DEFAULT_TEMPLATE, offer: 'AI automation for order processing' },
      },
    },
  })
  @ApiOkResponse({ type: EmailPreviewResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A placeholder nothing fills' })
  preview(
    @CurrentUser() user: AuthUser,
    @Param('job_id') id: string,
    @Body() body: EmailPreviewDto,
  ) {
    return this.emails.preview(id, user, body);
  }

  @Post('jobs/:job_id/start')
  @HttpCode(202)
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary: 'Start a job uploaded with auto_start=false, optionally with new settings',
  })
  @ApiParam(JOB_PARAM)
  @ApiBody({
    type: EmailJobSettingsDto,
    examples: { start: { value: { offer: 'AI automation for order processing', budget_usd: 5 } } },
  })
  @ApiAcceptedResponse({ type: EmailJobResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already started' })
  start(
    @CurrentUser() user: AuthUser,
    @Param('job_id') id: string,
    @Body() body: EmailJobSettingsDto,
  ) {
    return this.emails.start(id, user, body);
  }

  @Post('jobs/:job_id/pause')
  @HttpCode(200)
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary: 'Pause: rows not yet sent wait; emails written so far stay downloadable',
  })
  @ApiParam(JOB_PARAM)
  @ApiOkResponse({ type: EmailJobResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not running' })
  pause(@CurrentUser() user: AuthUser, @Param('job_id') id: string) {
    return this.emails.pause(id, user);
  }

  @Post('jobs/:job_id/resume')
  @HttpCode(202)
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary: 'Resume a paused job (quota, budget or by hand), optionally with a new budget',
  })
  @ApiParam(JOB_PARAM)
  @ApiBody({
    type: EmailResumeDto,
    required: false,
    examples: { resume: { value: {} }, newBudget: { value: { budget_usd: 10 } } },
  })
  @ApiAcceptedResponse({ type: EmailJobResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Not paused, or its budget is spent',
  })
  resume(@CurrentUser() user: AuthUser, @Param('job_id') id: string, @Body() body: EmailResumeDto) {
    return this.emails.resume(id, user, body?.budget_usd);
  }

  @Post('jobs/:job_id/cancel')
  @HttpCode(200)
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({ summary: 'Cancel: nothing more is generated; written emails stay downloadable' })
  @ApiParam(JOB_PARAM)
  @ApiOkResponse({ type: EmailJobResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already finished' })
  cancel(@CurrentUser() user: AuthUser, @Param('job_id') id: string) {
    return this.emails.cancel(id, user);
  }

  @Post('jobs/:job_id/retry-failed')
  @HttpCode(202)
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({ summary: 'Generate the failed rows again' })
  @ApiParam(JOB_PARAM)
  @ApiAcceptedResponse({ type: EmailJobResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'No failed row' })
  retryFailed(@CurrentUser() user: AuthUser, @Param('job_id') id: string) {
    return this.emails.retryFailed(id, user);
  }

  @Post('jobs/:job_id/rerun')
  @HttpCode(202)
  @ApiAuth({ owned: 'email job' })
  @ApiOperation({
    summary:
      'Re-run every row with a new template version; the previous results are kept per version',
  })
  @ApiParam(JOB_PARAM)
  @ApiBody({ type: EmailRerunDto, examples: { rerun: { value: { template: DEFAULT_TEMPLATE } } } })
  @ApiAcceptedResponse({ type: EmailJobResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Still running' })
  rerun(@CurrentUser() user: AuthUser, @Param('job_id') id: string, @Body() body: EmailRerunDto) {
    return this.emails.rerun(id, user, body.template, body.offer);
  }
}
