import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

const STATUSES = ['active', 'expiring', 'needs_reconnect', 'revoked', 'disconnected'] as const;
const LOGIN_TYPES = ['facebook', 'instagram'] as const;
const LOGIN_TYPE_DOC =
  'How the account was connected: `facebook` (Facebook Login, through a Page) or `instagram` (Instagram Login: no Page, so the facebook_page_* fields are null).';

export class AccountDto {
  @ApiProperty({ example: 12 }) id: number;
  @ApiProperty({ example: '17841400000000001' }) ig_user_id: string;
  @ApiProperty({ enum: LOGIN_TYPES, example: 'facebook', description: LOGIN_TYPE_DOC }) login_type: (typeof LOGIN_TYPES)[number];
  @ApiProperty({ example: 'acme.coffee', nullable: true, type: String }) instagram_username: string | null;
  @ApiProperty({ example: 'Acme Coffee', nullable: true, type: String }) instagram_name: string | null;
  @ApiProperty({ example: 'https://scontent.cdninstagram.com/…', nullable: true, type: String })
  profile_picture_url: string | null;
  @ApiProperty({ example: '134895793791914', nullable: true, type: String }) facebook_page_id: string | null;
  @ApiProperty({ example: 'Acme Coffee', nullable: true, type: String }) facebook_page_name: string | null;
  @ApiProperty({ enum: STATUSES, example: 'active' }) status: (typeof STATUSES)[number];
  @ApiProperty({ example: true }) is_token_valid: boolean;
  @ApiProperty({ example: true }) is_connected: boolean;
  @ApiProperty({ example: true }) is_default: boolean;
  @ApiProperty({
    example: '2027-01-26T08:00:00.000Z',
    nullable: true,
    type: String,
    description: 'The earliest moment the connection stops working unless the user reconnects.',
  })
  token_expires_at: string | null;
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', nullable: true, type: String }) token_issued_at: string | null;
  @ApiProperty({ example: '2027-02-25T08:00:00.000Z', nullable: true, type: String }) data_access_expires_at: string | null;
  @ApiProperty({ example: 59, nullable: true, type: Number }) days_until_expiry: number | null;
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', nullable: true, type: String }) last_checked_at: string | null;
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', nullable: true, type: String }) last_refreshed_at: string | null;
  @ApiProperty({ example: '2026-11-28T08:00:00.000Z', nullable: true, type: String }) next_check_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) last_error_code: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Why the account needs attention, for people.' })
  status_reason: string | null;
  @ApiProperty({ example: ['instagram_basic', 'pages_show_list'], type: [String] }) permissions: string[];
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', nullable: true, type: String }) connected_at: string | null;
}

export class AccountListDto {
  @ApiProperty({ type: [AccountDto] }) accounts: AccountDto[];
}

export class UpdateAccountDto {
  @ApiPropertyOptional({ example: true, description: 'Make this the default account (the seed routes act on it).' })
  @IsOptional()
  @IsBoolean()
  @IsIn([true], { message: 'is_default can only be set to true' })
  is_default?: boolean;
}

export class StatusDto {
  @ApiProperty({ example: true }) is_connected: boolean;
  @ApiProperty({
    enum: LOGIN_TYPES,
    nullable: true,
    example: 'facebook',
    description: `${LOGIN_TYPE_DOC} Null when nothing is connected.`,
  })
  login_type: (typeof LOGIN_TYPES)[number] | null;
  @ApiProperty({ example: 'acme.coffee', nullable: true, type: String }) instagram_username: string | null;
  @ApiProperty({ example: 'Acme Coffee', nullable: true, type: String }) facebook_page_name: string | null;
  @ApiProperty({ example: '2027-01-26T08:00:00.000Z', nullable: true, type: String }) token_expires_at: string | null;
  @ApiProperty({ example: true }) is_token_valid: boolean;
  @ApiProperty({ enum: STATUSES, nullable: true, example: 'active' }) status: (typeof STATUSES)[number] | null;
  @ApiProperty({ example: 59, nullable: true, type: Number }) days_until_expiry: number | null;
  @ApiProperty({ example: 'https://scontent.cdninstagram.com/…', nullable: true, type: String })
  profile_picture_url: string | null;
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', nullable: true, type: String }) last_refreshed_at: string | null;
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z', nullable: true, type: String }) last_checked_at: string | null;
  @ApiProperty({ example: 12, nullable: true, type: Number }) account_id: number | null;
  @ApiProperty({ example: 1 }) accounts_count: number;
}

export class TokenEventDto {
  @ApiProperty({ example: '41' }) id: string;
  @ApiProperty({ example: 'refresh' }) type: string;
  @ApiProperty({ enum: ['success', 'failure', 'skipped'], example: 'success' }) outcome: string;
  @ApiProperty({ enum: ['user', 'scheduler', 'worker', 'meta', 'system'], example: 'user' }) actor: string;
  @ApiProperty({ example: 'Facebook keeps this token until 2027-01-26.', nullable: true, type: String }) message: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) error_code: string | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) graph_error_code: number | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) graph_error_subcode: number | null;
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z' }) created_at: string;
}

export class TokenEventListDto {
  @ApiProperty({ type: [TokenEventDto] }) events: TokenEventDto[];
}

export class DisconnectResultDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Successfully disconnected' }) message: string;
  @ApiProperty({ example: true, description: 'False when there was nothing left to disconnect.' }) disconnected: boolean;
  @ApiProperty({
    example: true,
    description:
      'Whether the app was removed at Facebook too. Always false for Instagram-Login accounts: Instagram documents no revoke for their tokens, so the token is deleted here and the message says how the user can remove the app in Instagram.',
  })
  revoked_at_facebook: boolean;
  @ApiProperty({ example: 12, nullable: true, type: Number }) account_id: number | null;
}

export class RefreshResultDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Facebook keeps this token until 26 Jan 2027; reconnect before then to extend it.' })
  message: string;
  @ApiProperty({ example: '2027-01-26T08:00:00.000Z', nullable: true, type: String }) new_expires_at: string | null;
  @ApiProperty({ example: false, description: 'True only when the expiry actually moved later.' }) extended: boolean;
  @ApiProperty({ enum: STATUSES, example: 'active' }) status: (typeof STATUSES)[number];
  @ApiProperty({ example: 12 }) account_id: number;
  @ApiProperty({
    example: '2026-11-28T08:00:00.000Z',
    nullable: true,
    type: String,
    description: 'When the next automatic check is due; null when only the user can fix the connection.',
  })
  next_check_at: string | null;
}
