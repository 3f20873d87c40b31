import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape of the API (see HttpErrorFilter). */
export class ErrorResponseDto {
  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'API key not found',
  })
  message!: string | string[];

  @ApiPropertyOptional({ example: '1b4e28ba-2fa1-4d3b-883f-0016d3cca427' })
  requestId?: string;
}
