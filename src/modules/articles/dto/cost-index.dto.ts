import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CostIndexResponseDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'steel' })
  code!: string;

  @ApiProperty({ example: 'Steel' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Carbon steel: sheet, bar, castings' })
  description!: string | null;

  @ApiProperty({ example: true, description: 'Inactive indices are no longer offered' })
  active!: boolean;
}

export class CostIndexCreateDto {
  @ApiProperty({
    example: 'titanium',
    description: 'Stable key: lower-case letters, digits, - and _',
  })
  @Transform(trim)
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,49}$/, {
    message: 'code must be 1-50 lower-case letters, digits, - or _',
  })
  code!: string;

  @ApiProperty({ example: 'Titanium' })
  @Transform(trim)
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name!: string;

  @ApiPropertyOptional({ example: 'Titanium sponge, bar and sheet' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({ example: true, default: true })
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

export class CostIndexUpsertDto {
  @ApiProperty({
    type: CostIndexCreateDto,
    isArray: true,
    example: [
      { code: 'steel', name: 'Steel', description: 'Carbon steel', active: true },
      { code: 'titanium', name: 'Titanium' },
      { code: 'packaging', name: 'Packaging', active: false },
    ],
    description:
      'Indices by code: existing codes are updated, new ones created. Indices are never deleted (stored cost models refer to them); set active false to stop offering one.',
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'indices must hold at least one index' })
  @ArrayMaxSize(200, { message: 'indices must hold at most 200 indices' })
  @ValidateNested({ each: true })
  @Type(() => CostIndexCreateDto)
  indices!: CostIndexCreateDto[];
}
