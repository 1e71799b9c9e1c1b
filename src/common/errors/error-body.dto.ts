import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from './error-codes';

export class ErrorBodyDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ enum: ErrorCode, example: ErrorCode.VALIDATION_FAILED })
  code: ErrorCode;

  @ApiProperty({ example: 'email must be an email' })
  message: string;

  @ApiPropertyOptional({ type: [String], description: 'PERMISSIONS_DECLINED: the permissions that were not granted' })
  declined?: string[];

  @ApiPropertyOptional({ description: 'WRONG_INSTAGRAM_ACCOUNT: the Instagram account the renewal was started for' })
  expected_ig_user_id?: string;

  @ApiPropertyOptional({ description: "OAUTH_DENIED: Facebook's error_reason (e.g. user_denied)" })
  reason?: string;
}

/** A 400: the same body, with every problem listed. */
export class ValidationErrorBodyDto extends ErrorBodyDto {
  @ApiProperty({
    type: [String],
    required: false,
    description: 'VALIDATION_FAILED: every problem with the request, one sentence each',
    example: ['email must be a valid e-mail address'],
  })
  errors?: string[];
}
