import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ApiKeyCreateDto {
  @ApiProperty({
    description: 'What the key is for, to tell keys apart later',
    example: 'CI pipeline',
    minLength: 1,
    maxLength: 100,
  })
  @Transform(trim)
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name!: string;

  @ApiPropertyOptional({
    description:
      'Administrators only: create the key for this user. Others may only name themselves (another id answers 404).',
    format: 'uuid',
    example: '0b9a1c3e-4f5d-4e6a-9b7c-8d9e0f1a2b3c',
  })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a uuid' })
  userId?: string;
}

export class ApiKeyListQueryDto {
  @ApiPropertyOptional({
    description: "Administrators only: list this user's keys instead of your own",
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a uuid' })
  userId?: string;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid', example: '5f2b9e0c-1d3a-4b6c-8e7f-9a0b1c2d3e4f' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The user the key belongs to and acts as' })
  userId!: string;

  @ApiProperty({ example: 'CI pipeline' })
  name!: string;

  @ApiProperty({
    description: 'The first characters of the key, to recognise it; the rest is never shown again',
    example: 'cvk_Ab3dE9xQ',
  })
  prefix!: string;

  @ApiProperty({ enum: ['active', 'revoked'], example: 'active' })
  status!: 'active' | 'revoked';

  @ApiProperty({ example: '2026-01-12T09:30:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ nullable: true, type: Date, example: '2026-01-12T10:02:11.000Z' })
  lastUsedAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date, example: null })
  revokedAt!: Date | null;
}

export class ApiKeyCreatedResponseDto extends ApiKeyResponseDto {
  @ApiProperty({
    description:
      'The key itself. Shown only in this response: store it now (only its SHA-256 is kept).',
    example: 'cvk_Ab3dE9xQ7mKp2RsT4uVw6yZa8bCd0eFg1hIj3kLm5nO',
  })
  key!: string;
}
