import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { AccountDto } from './account.dto';

export class LoginRequestDto {
  @ApiPropertyOptional({ example: 12, description: 'Renew access for this account (one click through the dialog).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  account_id?: number;
}

export class LoginUrlDto {
  @ApiProperty({
    example:
      'https://www.facebook.com/v25.0/dialog/oauth?client_id=1000000000000001&redirect_uri=http%3A%2F%2Flocalhost%3A3002%2Fsettings%2Fsocial-accounts%2Fcallback&state=…&scope=instagram_basic,…&response_type=code',
  })
  login_url: string;

  @ApiProperty({ example: 'n3d4W0…43 url-safe characters', description: 'Single use, valid ten minutes.' })
  state: string;

  @ApiProperty({ example: '2026-11-27T08:10:00.000Z' })
  expires_at: string;
}

/** The OAuth callback's query, exactly as Facebook sends it (validated in the service: Meta may add fields). */
export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_code?: string;
  error_reason?: string;
  error_description?: string;
}

export class CandidateDto {
  @ApiProperty({ example: '17841400000000002' }) ig_user_id: string;
  @ApiProperty({ example: 'acme.roastery' }) username: string;
  @ApiProperty({ example: 'Acme Roastery', nullable: true, type: String }) name: string | null;
  @ApiProperty({ example: 'https://…/avatar.jpg', nullable: true, type: String }) profile_picture_url: string | null;
  @ApiProperty({ example: '134895793791915' }) page_id: string;
  @ApiProperty({ example: 'Acme Roastery' }) page_name: string;
  @ApiProperty({ example: false }) already_connected: boolean;
}

export class CallbackResultDto {
  @ApiProperty({ enum: ['connected', 'needs_selection'], example: 'connected' })
  status: 'connected' | 'needs_selection';

  @ApiProperty({ example: 'Connected @acme.coffee.' })
  message: string;

  @ApiPropertyOptional({ type: [AccountDto], description: 'When connected.' })
  accounts?: AccountDto[];

  @ApiPropertyOptional({ example: 'n3d4W0…', description: 'When needs_selection: send it back to /social/facebook/select.' })
  state?: string;

  @ApiPropertyOptional({ type: [CandidateDto], description: 'When needs_selection.' })
  candidates?: CandidateDto[];

  @ApiPropertyOptional({ example: '2026-11-27T08:10:00.000Z', description: 'When needs_selection: pick before this.' })
  expires_at?: string;
}

export class SelectRequestDto {
  @ApiProperty({ example: 'n3d4W0…' })
  @IsString()
  @MaxLength(200)
  state: string;

  @ApiProperty({ example: ['17841400000000001', '17841400000000002'], type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^\d{1,30}$/, { each: true, message: 'ig_user_ids must be Instagram account ids' })
  ig_user_ids: string[];
}
