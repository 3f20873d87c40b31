import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { HealthService } from '../health/health.service.js';
import { WebRegistry } from './web-registry.js';

@ApiExcludeController()
@Controller()
export class DashboardPagesController {
  constructor(
    private readonly health: HealthService,
    private readonly web: WebRegistry,
  ) {}

  @Get()
  @Render('dashboard/index')
  async dashboard(@CurrentUser() user: AuthUser): Promise<Record<string, unknown>> {
    const [report, recent] = await Promise.all([
      this.health.check(),
      this.web.recentWork(10, user.id),
    ]);
    const queues = Object.entries(report.queues ?? {}).map(([name, counts]) => ({
      name,
      ...counts,
    }));
    return {
      title: 'Dashboard',
      status: {
        database: {
          up: report.database.status === 'up',
          embedded: report.database.embedded === true,
          vectorVersion: (report.database.vectorVersion as string | undefined) ?? null,
        },
        redis: { up: report.redis.status === 'up', embedded: report.redis.embedded === true },
        llm: { mode: String((report.llm as { mode?: string } | undefined)?.mode ?? 'offline') },
        version: report.version,
        uptimeSeconds: report.uptimeSeconds,
      },
      queues,
      queuesKnown: report.queues !== null,
      recent,
      modules: this.web.navigation(),
    };
  }
}
