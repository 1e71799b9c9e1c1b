import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { REEL_STATUSES, type ReelStatus } from '../domain/reel-policy';

const httpsOnly = { require_protocol: true, protocols: ['https'], require_tld: false };

export class CreateReelDto {
  @ApiPropertyOptional({ example: 12, description: 'One of your accounts; the default account when absent.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  account_id?: number;

  @ApiPropertyOptional({
    example: 'https://cdn.example.com/reels/launch.mp4',
    description: 'A public https URL Meta can fetch. Give this or `upload_id`.',
  })
  @IsOptional()
  @IsUrl(httpsOnly, { message: 'video_url must be an https URL' })
  @MaxLength(2048)
  video_url?: string;

  @ApiPropertyOptional({ example: '3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90', description: 'From `POST /social/uploads`.' })
  @IsOptional()
  @IsUUID()
  upload_id?: string;

  @ApiPropertyOptional({
    example: 'New roast just dropped ☕ #coffee #acme',
    description:
      "≤ 2,200 characters, ≤ 30 hashtags, ≤ 20 @mentions (Meta's API limits; Instagram shows at most 5 hashtags since Dec 2025).",
  })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  caption?: string;

  @ApiPropertyOptional({ example: true, default: true })
  @IsOptional()
  @IsBoolean()
  share_to_feed?: boolean;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/reels/launch-cover.jpg', description: 'Wins over thumb_offset.' })
  @IsOptional()
  @IsUrl(httpsOnly, { message: 'cover_url must be an https URL' })
  @MaxLength(2048)
  cover_url?: string;

  @ApiPropertyOptional({ example: 1500, description: 'Cover frame, in milliseconds from the start.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(15 * 60 * 1000)
  thumb_offset?: number;

  @ApiPropertyOptional({ example: 'Acme morning mix', description: 'Renames the original audio (once).' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  audio_name?: string;

  @ApiPropertyOptional({ example: ['acme.roastery'], type: [String], description: '≤ 3 Instagram usernames.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsString({ each: true })
  @Matches(/^@?[A-Za-z0-9_.]{1,30}$/, { each: true, message: 'collaborators must be Instagram usernames' })
  collaborators?: string[];

  @ApiPropertyOptional({ example: '110000000000001', description: 'A Facebook Page id with a location.' })
  @IsOptional()
  @Matches(/^\d{1,30}$/, { message: 'location_id must be digits' })
  location_id?: string;

  @ApiPropertyOptional({
    example: '2026-12-01T09:00:00Z',
    description: 'When to publish; now when absent; at most 75 days ahead.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  publish_at?: string;
}

export class ListReelsQueryDto {
  @ApiPropertyOptional({ example: 12 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  account_id?: number;

  @ApiPropertyOptional({ enum: REEL_STATUSES })
  @IsOptional()
  @IsIn(REEL_STATUSES)
  status?: ReelStatus;

  @ApiPropertyOptional({ example: 20, default: 20, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ example: '41', description: '`next_cursor` of the previous page.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value)
  @Matches(/^\d{1,12}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class ReelDto {
  @ApiProperty({ example: 41 }) id: number;
  @ApiProperty({ example: 12 }) account_id: number;
  @ApiProperty({ example: 'acme.coffee', nullable: true, type: String }) instagram_username: string | null;
  @ApiProperty({ enum: REEL_STATUSES, example: 'published' }) status: ReelStatus;
  @ApiProperty({ example: 'https://cdn.example.com/reels/launch.mp4', nullable: true, type: String }) video_url: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) upload_id: string | null;
  @ApiProperty({ example: 'New roast just dropped ☕ #coffee', nullable: true, type: String }) caption: string | null;
  @ApiProperty({ example: true }) share_to_feed: boolean;
  @ApiProperty({ example: null, nullable: true, type: String }) cover_url: string | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) thumb_offset: number | null;
  @ApiProperty({ example: null, nullable: true, type: String }) audio_name: string | null;
  @ApiProperty({ example: [], type: [String] }) collaborators: string[];
  @ApiProperty({ example: null, nullable: true, type: String }) location_id: string | null;
  @ApiProperty({ example: '2026-11-27T09:00:00.000Z' }) publish_at: string;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'When the worker looks at it next (e.g. when the publishing quota frees).',
  })
  next_attempt_at: string | null;
  @ApiProperty({ example: '17889455560051444', nullable: true, type: String }) container_id: string | null;
  @ApiProperty({ example: '17920238422030506', nullable: true, type: String }) media_id: string | null;
  @ApiProperty({ example: 'https://www.instagram.com/reel/C0ffee123/', nullable: true, type: String }) permalink: string | null;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description:
      'Why it failed: NEEDS_RECONNECT, META_APP_PROBLEM (Meta code 10/200-299: the app, not the account), MEDIA_EXPIRED, MEDIA_ERROR_<subcode>, …',
  })
  error_code: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'The reason, for people.' }) error_message:
    string | null;
  @ApiProperty({ example: 3 }) attempts: number;
  @ApiProperty({ example: '2026-11-27T08:59:58.000Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-27T09:00:41.000Z' }) updated_at: string;
  @ApiProperty({ example: '2026-11-27T09:00:40.000Z', nullable: true, type: String }) published_at: string | null;
}

export class ReelListDto {
  @ApiProperty({ type: [ReelDto] }) reels: ReelDto[];
  @ApiProperty({
    example: '41',
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null at the end.',
  })
  next_cursor: string | null;
}

export class UploadDto {
  @ApiProperty({ example: '3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90' }) upload_id: string;
  @ApiProperty({ example: 18874368 }) size: number;
  @ApiProperty({ example: 'video/mp4', enum: ['video/mp4', 'video/quicktime'] }) content_type: string;
  @ApiProperty({ example: '2026-11-28T09:00:00.000Z' }) expires_at: string;
}

export class UploadFormDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'video/mp4 or video/quicktime, ≤ UPLOAD_MAX_BYTES (300 MB).' })
  file: unknown;
}

export class PublishingLimitDto {
  @ApiProperty({ example: 12 }) quota_usage: number;
  @ApiProperty({ example: 100 }) quota_total: number;
  @ApiProperty({ example: 86400 }) quota_duration_seconds: number;
}
