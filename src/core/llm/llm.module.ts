import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LlmGatewayHost } from './gateway/gateway-host.js';
import { LLM_GATEWAY, LlmService } from './llm.service.js';
import { OfflineProvider } from './offline/offline.provider.js';
import { LlmCall } from './usage/llm-call.entity.js';
import { LlmCallsRepository } from './usage/llm-calls.repository.js';
import { UsageRecorder } from './usage/usage-recorder.js';

/**
 * The LLM gateway (DESIGN.md 4), global: any module injects `LlmService`. The openai provider
 * exists only when a key is configured; otherwise every call goes to the offline provider.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([LlmCall])],
  providers: [
    LlmGatewayHost,
    {
      provide: LLM_GATEWAY,
      inject: [LlmGatewayHost],
      useFactory: (host: LlmGatewayHost) => host.gateway,
    },
    OfflineProvider,
    LlmCallsRepository,
    UsageRecorder,
    LlmService,
  ],
  exports: [LlmService],
})
export class LlmModule {}
