import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import { HealthResponseDto } from './health.dto.js';
import { HealthService, type HealthReport } from './health.service.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Database (with pgvector), Redis, queue counts, LLM mode and version' })
  @ApiOkResponse({ type: HealthResponseDto, description: 'Every dependency answers' })
  @ApiServiceUnavailableResponse({
    type: HealthResponseDto,
    description: 'A dependency is down; `failing` names it',
  })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    res.setHeader('Cache-Control', 'no-store');
    return report;
  }
}
