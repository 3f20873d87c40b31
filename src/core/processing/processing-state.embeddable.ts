import { ApiProperty } from '@nestjs/swagger';
import { Column } from 'typeorm';
import { ProcessingStatus } from './processing-status.js';

/**
 * Embedded in every long-running entity as `@Column(() => ProcessingState, { prefix: 'processing' })`,
 * giving the columns processing_status, processing_error, processing_started_at, ...
 * Change it only through `transition()` (processing-state.ts).
 */
export class ProcessingState {
  @ApiProperty({ enum: ProcessingStatus, example: ProcessingStatus.Processing })
  @Column({ type: 'text', default: ProcessingStatus.Pending })
  status!: ProcessingStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why it failed or paused',
  })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'generating',
    description: 'Current step, where the module has steps',
  })
  @Column({ type: 'text', nullable: true })
  step!: string | null;

  @ApiProperty({ type: Date, nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @ApiProperty({ type: Number, nullable: true, example: 40 })
  @Column({ type: 'integer', nullable: true })
  progressDone!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 100 })
  @Column({ type: 'integer', nullable: true })
  progressTotal!: number | null;
}
