import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { ApiKeyScope } from '../domain/api-key-rules';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Publishing backend', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({
    type: [String],
    enum: ['read', 'write'],
    example: ['read', 'write'],
    description: '`["read"]` (the default: GET routes only) or `["read","write"]`.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsIn(['read', 'write'], { each: true })
  scopes?: ApiKeyScope[];
}

export class ApiKeyDto {
  @ApiProperty({ example: 3 })
  id: number;

  @ApiProperty({ example: 'Publishing backend' })
  name: string;

  @ApiProperty({ example: 'ark_Xk3v9QpL', description: 'The first characters of the key, to tell keys apart.' })
  prefix: string;

  @ApiProperty({ type: [String], enum: ['read', 'write'], example: ['read'] })
  scopes: ApiKeyScope[];

  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    example: '2026-11-27T09:30:00.000Z',
    description: 'Updated at most once a minute.',
  })
  last_used_at: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'ark_EXAMPLE-not-a-real-key-000000000000000000000',
    description: 'The key itself: shown only in this answer, stored only as a hash. Send it as `Authorization: Bearer ark_…`.',
  })
  key: string;
}
