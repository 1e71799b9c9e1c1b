import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { NoRateLimit } from '../../common/openapi/openapi-markers';
import { Public } from '../auth/auth.decorators';
import { UploadFileResponder } from './upload-file.responder';
import { ServeUpload } from './use-cases/serve-upload.use-case';

/**
 * Where Meta fetches the video of an Instagram-Login account's upload (DESIGN.md §8). Public: the
 * signed, expiring URL is the credential. Not throttled: the signature is checked (one HMAC)
 * before anything else, and a refused fetch would fail the user's reel.
 */
@ApiTags('reels')
@Public()
@Controller('media')
export class MediaController {
  constructor(
    private readonly serve: ServeUpload,
    private readonly responder: UploadFileResponder,
  ) {}

  @Get('uploads/:id')
  @NoRateLimit()
  @ApiOperation({
    summary: "An upload's video, for Meta (signed, expiring URL)",
    description:
      'Instagram Login has no resumable upload, so a reel published from an `upload_id` through an Instagram-Login account ' +
      'is created with a `video_url` pointing here. The URL is made by the worker, given to Meta only and valid for one ' +
      'hour; it is never shown by the API. Answers the bytes with the upload’s Content-Type and Content-Length; a single ' +
      '`Range: bytes=a-b` gets 206 with Content-Range. The file (and so the URL) is gone once the reel is published, ' +
      'failed or cancelled.',
  })
  @ApiParam({ name: 'id', description: 'the upload_id', example: '3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90' })
  @ApiQuery({ name: 'exp', description: 'expiry, Unix seconds', example: '1796126400' })
  @ApiQuery({
    name: 'sig',
    description: 'base64url HMAC-SHA256 of "upload:<id>:<exp>" with a key derived from SECRET_KEY',
    example: 'EXAMPLE_SIGNATURE_0000000000000000000000000',
  })
  @ApiProduces('video/mp4', 'video/quicktime')
  @ApiOkResponse({ description: 'The whole file', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 206, description: 'The requested byte range', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({
    status: 403,
    description: 'UPLOAD_URL_INVALID: not a URL AutoReels signed (altered id, exp or sig); UPLOAD_URL_EXPIRED: past its `exp`',
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 404, description: 'UPLOAD_NOT_FOUND: the file was deleted (its reel is done)', type: ErrorBodyDto })
  @ApiResponse({
    status: 416,
    description: 'RANGE_NOT_SATISFIABLE: the range starts past the end of the file',
    type: ErrorBodyDto,
  })
  file(
    @Param('id') id: string,
    @Query('exp') exp: unknown,
    @Query('sig') sig: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.responder.send(this.serve.execute(id, exp, sig), req, res);
  }
}
