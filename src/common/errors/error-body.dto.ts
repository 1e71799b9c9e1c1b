import { ApiProperty } from '@nestjs/swagger';
import { ErrorCode } from './error-codes';

export class ErrorBodyDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ enum: ErrorCode, example: ErrorCode.VALIDATION_FAILED })
  code: ErrorCode;

  @ApiProperty({ example: 'email must be an email' })
  message: string;
}

/** A 400: the same body, with every problem listed. */
export class ValidationErrorBodyDto extends ErrorBodyDto {
  @ApiProperty({ type: [String], required: false, example: ['email must be a valid e-mail address'] })
  errors?: string[];
}
