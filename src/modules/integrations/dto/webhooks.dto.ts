import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../domain/webhook-events';

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: 'https://hooks.example.com/autoreels',
    maxLength: 2048,
    description: 'In production: https, and not a private, loopback or link-local address (also after DNS resolution).',
  })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({
    type: [String],
    enum: WEBHOOK_EVENT_TYPES,
    example: ['connection.needs_reconnect', 'connection.revoked'],
    minItems: 1,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[];
}

export class WebhookEndpointDto {
  @ApiProperty({ example: 4 })
  id: number;

  @ApiProperty({ example: 'https://hooks.example.com/autoreels' })
  url: string;

  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES, example: ['connection.needs_reconnect'] })
  events: string[];

  @ApiProperty({
    example: true,
    description: 'False once disabled after repeated failure; a successful test send turns it back on.',
  })
  enabled: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  disabled_at: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  disabled_reason: string | null;

  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', format: 'date-time' })
  created_at: string;
}

export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiProperty({
    example: 'whsec_EXAMPLE-not-a-real-secret-0000000000000000',
    description: 'The signing secret: shown only in this answer. Verify X-AutoReels-Signature with it.',
  })
  secret: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ example: '5b0f1c9e-3f7a-4c1e-9a55-1d2b3c4d5e6f', description: 'The X-AutoReels-Delivery header.' })
  id: string;

  @ApiProperty({ example: '0e8f7a9c-1b2d-4e3f-8a7b-6c5d4e3f2a1b', description: 'The body’s `id` (the same for every endpoint).' })
  event_id: string;

  @ApiProperty({ example: 'connection.needs_reconnect', description: 'An event type, or webhook.test.' })
  event: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'], example: 'delivered' })
  status: 'pending' | 'delivered' | 'failed';

  @ApiProperty({ example: 1 })
  attempts: number;

  @ApiProperty({ type: Number, nullable: true, example: 200, description: 'The last answer’s HTTP status (null: none).' })
  last_status_code: number | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the last attempt failed.' })
  last_error: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  next_retry_at: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-11-27T08:00:01.000Z' })
  delivered_at: string | null;

  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', format: 'date-time' })
  created_at: string;
}

export class WebhookDeliveriesDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  deliveries: WebhookDeliveryDto[];
}
