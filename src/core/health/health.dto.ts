import { ApiProperty } from '@nestjs/swagger';

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: 'ok' | 'error';

  @ApiProperty({ type: [String], example: [], description: 'Each failing dependency and why' })
  failing!: string[];

  @ApiProperty({ example: '0.1.0' })
  version!: string;

  @ApiProperty({ example: 42 })
  uptimeSeconds!: number;

  @ApiProperty({
    example: { status: 'up', embedded: true, vector: true, vectorVersion: '0.8.1', latencyMs: 2 },
  })
  database!: Record<string, unknown>;

  @ApiProperty({ example: { status: 'up', embedded: false, latencyMs: 1 } })
  redis!: Record<string, unknown>;

  @ApiProperty({
    nullable: true,
    example: {
      platform: { waiting: 0, active: 0, delayed: 1, completed: 0, failed: 0, paused: 0 },
    },
    description: 'Job counts per queue (null while Redis is down)',
  })
  queues!: Record<string, unknown> | null;

  @ApiProperty({
    example: {
      status: 'up',
      mode: 'openai',
      models: ['gpt-4o-mini', 'gpt-4.1-nano'],
      keys: [{ id: '36de5af91e28', label: 'key 1 of 1', state: 'active' }],
      limits: { rpmPerKey: 500, tpmPerKey: 200000, dailyRequestCap: 0, dailyTokenCap: 0 },
      today: { requests: 1200, tokens: 350000 },
    },
    description:
      'LLM gateway: mode (openai or offline); with a provider, each key (fingerprint only) and whether it is in the rotation',
  })
  llm!: Record<string, unknown>;
}
