import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators';
import {
  CreateReelDto,
  ListReelsQueryDto,
  PublishingLimitDto,
  ReelDto,
  ReelListDto,
  UploadDto,
  UploadFormDto,
} from './dto/reel.dto';
import { CancelReel } from './use-cases/cancel-reel.use-case';
import { GetPublishingLimit } from './use-cases/publishing-limit.use-case';
import { GetReel, ListReels } from './use-cases/read-reels.use-case';
import { StoreUpload } from './use-cases/store-upload.use-case';
import { SubmitReel } from './use-cases/submit-reel.use-case';

const ReelIdPipe = new ParseIntPipe({
  exceptionFactory: () => new DomainError(ErrorCode.REEL_NOT_FOUND, 'No such reel on your profile.'),
});
const AccountIdPipe = new ParseIntPipe({
  exceptionFactory: () => new DomainError(ErrorCode.ACCOUNT_NOT_FOUND, 'No such Instagram account on your profile.'),
});

@ApiTags('reels')
@ApiBearerAuth()
@Controller('social')
export class ReelsController {
  constructor(
    private readonly submit: SubmitReel,
    private readonly listReels: ListReels,
    private readonly getReel: GetReel,
    private readonly cancelReel: CancelReel,
    private readonly storeUpload: StoreUpload,
    private readonly publishingLimit: GetPublishingLimit,
  ) {}

  @Post('reels')
  @ApiOperation({
    summary: 'Publish a Reel (now or at publish_at) through one of your accounts',
    description:
      'Answers 202 with the Reel; the worker publishes it and its status moves scheduled → queued → uploading → processing → publishing → published (or failed with error_code and error_message). The same Idempotency-Key with the same body answers 200 with the same reel.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '≤ 255 characters; repeat a request safely.' })
  @ApiAcceptedResponse({ type: ReelDto, description: 'Accepted (a repeat with the same Idempotency-Key and body: 200)' })
  @ApiOkResponse({ type: ReelDto, description: 'The reel an earlier request with this Idempotency-Key made' })
  @ApiResponse({
    status: 400,
    description: 'VALIDATION_FAILED, CAPTION_TOO_LONG, TOO_MANY_HASHTAGS, TOO_MANY_MENTIONS',
    type: ErrorBodyDto,
  })
  @ApiResponse({
    status: 403,
    description: 'PERMISSION_MISSING: the account did not grant instagram_content_publish',
    type: ErrorBodyDto,
  })
  @ApiResponse({
    status: 404,
    description: "ACCOUNT_NOT_FOUND (also for another user's account), NOT_CONNECTED, UPLOAD_NOT_FOUND",
    type: ErrorBodyDto,
  })
  @ApiResponse({
    status: 409,
    description: 'NEEDS_RECONNECT (account not active/expiring), IDEMPOTENCY_KEY_REUSED',
    type: ErrorBodyDto,
  })
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateReelDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReelDto> {
    const { reel, created } = await this.submit.execute(user.id, dto, key);
    res.status(created ? 202 : 200);
    return reel;
  }

  @Get('reels')
  @ApiOperation({ summary: 'Your reels, newest first' })
  @ApiOkResponse({ type: ReelListDto })
  list(@CurrentUser() user: AuthUser, @Query() q: ListReelsQueryDto): Promise<ReelListDto> {
    return this.listReels.execute(user.id, q);
  }

  @Get('reels/:id')
  @ApiOperation({ summary: 'One reel: its status, and its permalink once published or the reason once failed' })
  @ApiOkResponse({ type: ReelDto })
  @ApiResponse({ status: 404, description: "REEL_NOT_FOUND (also for another user's reel)", type: ErrorBodyDto })
  get(@CurrentUser() user: AuthUser, @Param('id', ReelIdPipe) id: number): Promise<ReelDto> {
    return this.getReel.execute(user.id, id);
  }

  @Delete('reels/:id')
  @ApiOperation({ summary: 'Cancel a reel that has not started publishing' })
  @ApiOkResponse({ type: ReelDto, description: 'status "cancelled"' })
  @ApiResponse({ status: 404, description: 'REEL_NOT_FOUND', type: ErrorBodyDto })
  @ApiResponse({ status: 409, description: 'REEL_NOT_CANCELLABLE: publishing has started or it is done', type: ErrorBodyDto })
  cancel(@CurrentUser() user: AuthUser, @Param('id', ReelIdPipe) id: number): Promise<ReelDto> {
    return this.cancelReel.execute(user.id, id);
  }

  @Post('uploads')
  @HttpCode(201)
  @ApiOperation({ summary: 'Upload a video for a reel (streamed to disk; use the upload_id in POST /social/reels)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadFormDto })
  @ApiCreatedResponse({ type: UploadDto })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE (above UPLOAD_MAX_BYTES)', type: ErrorBodyDto })
  @ApiResponse({ status: 415, description: 'UNSUPPORTED_MEDIA_TYPE (only video/mp4, video/quicktime)', type: ErrorBodyDto })
  upload(@CurrentUser() user: AuthUser, @Req() req: Request): Promise<UploadDto> {
    return this.storeUpload.execute(user.id, req);
  }

  @Get('accounts/:id/publishing-limit')
  @ApiOperation({ summary: "Meta's publishing quota for the account (posts in the moving 24 h window)" })
  @ApiOkResponse({ type: PublishingLimitDto })
  @ApiResponse({ status: 404, description: 'ACCOUNT_NOT_FOUND', type: ErrorBodyDto })
  @ApiResponse({ status: 409, description: 'NEEDS_RECONNECT', type: ErrorBodyDto })
  limit(@CurrentUser() user: AuthUser, @Param('id', AccountIdPipe) id: number): Promise<PublishingLimitDto> {
    return this.publishingLimit.execute(user.id, id);
  }
}
