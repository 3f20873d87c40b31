import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsOptional, IsString, Length } from 'class-validator';
import { ApiKeyCreatedResponseDto } from './api-key.dto.js';

export class UserCreateDto {
  @ApiProperty({ example: 'ada@example.com', description: 'Unique; stored lower-case' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsEmail({ require_tld: false }, { message: 'email must be an email address' })
  @Length(3, 254)
  email!: string;

  @ApiPropertyOptional({ default: false, description: 'May manage users and every key' })
  @IsOptional()
  @IsBoolean({ message: 'admin must be true or false' })
  admin?: boolean;

  @ApiPropertyOptional({ example: 'laptop', default: 'first key', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'keyName must be 1 to 100 characters' })
  keyName?: string;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid', example: '0b9a1c3e-4f5d-4e6a-9b7c-8d9e0f1a2b3c' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: false })
  isAdmin!: boolean;

  @ApiProperty({ example: 1, description: 'Keys that are not revoked' })
  activeKeys!: number;

  @ApiProperty({ example: '2026-01-12T09:30:00.000Z' })
  createdAt!: Date;
}

export class UserCreatedResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;

  @ApiProperty({ type: ApiKeyCreatedResponseDto, description: 'The first key, shown only here' })
  key!: ApiKeyCreatedResponseDto;
}
