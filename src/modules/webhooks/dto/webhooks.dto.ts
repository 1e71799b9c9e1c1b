import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const VECTOR =
  'Mf_s6nTb38UYqioBmPqu0Ewm9souPZB9I2fIGwV729U.eyJ1c2VyX2lkIjoiMCIsImFsZ29yaXRobSI6IkhNQUMtU0hBMjU2IiwiaXNzdWVkX2F0IjoxNjI0MjQ0MTU2fQ';

/** Form body Meta posts to the deauthorize and data-deletion callbacks (documentation only: Meta may add fields). */
export class SignedRequestDto {
  @ApiProperty({
    description:
      '`base64url(HMAC-SHA256(app_secret, payload)) + "." + payload`, no padding; payload is base64url JSON ' +
      '`{"user_id": "<app-scoped id>", "algorithm": "HMAC-SHA256", "issued_at": <epoch>, "expires"?: <epoch>}`.',
    example: VECTOR,
  })
  signed_request: string;
}

export class SuccessDto {
  @ApiProperty({ example: true })
  success: true;
}

export class DeletionReceiptDto {
  @ApiProperty({
    description: 'Status page of this request (HTML; JSON with Accept: application/json).',
    example: 'https://api.autoreels.example/webhooks/facebook/data-deletion/3q2-7wF1kQx9mZc8bA0L4g',
  })
  url: string;

  @ApiProperty({ example: '3q2-7wF1kQx9mZc8bA0L4g' })
  confirmation_code: string;
}

export class DeletionStatusDto {
  @ApiProperty({ example: '3q2-7wF1kQx9mZc8bA0L4g' })
  confirmation_code: string;

  @ApiProperty({ enum: ['pending', 'completed'], example: 'completed' })
  status: 'pending' | 'completed';
}

class WebhookChangeDto {
  @ApiProperty({ example: 'instagram_content_publish' })
  field: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { verb: 'revoked', target_ids: ['17841400000000001'] } })
  value: Record<string, unknown>;
}

class WebhookEntryDto {
  @ApiProperty({ example: '10000000000000001' })
  id: string;

  @ApiPropertyOptional({ description: 'permissions object: the app-scoped user id', example: '10000000000000001' })
  uid?: string;

  @ApiProperty({ example: 1764230600 })
  time: number;

  @ApiPropertyOptional({ type: [WebhookChangeDto] })
  changes?: WebhookChangeDto[];
}

/** Meta's event notification (documentation only: the raw bytes are what is verified and stored). */
export class WebhookEventDto {
  @ApiProperty({ example: 'permissions', description: 'instagram, page, permissions, user, …' })
  object: string;

  @ApiProperty({ type: [WebhookEntryDto] })
  entry: WebhookEntryDto[];
}
