import { Global, Module } from '@nestjs/common';
import { DashboardPagesController } from './dashboard.pages.controller.js';
import { WebRegistry } from './web-registry.js';

@Global()
@Module({
  controllers: [DashboardPagesController],
  providers: [WebRegistry],
  exports: [WebRegistry],
})
export class WebModule {}
