import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  type RawBodyRequest,
} from '@nestjs/common';
import { NoRateLimit } from '../../common/openapi/openapi-markers';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { Public } from '../auth/auth.decorators';
import { DataDeletionService, type DeletionReceipt, type DeletionStatusView } from './data-deletion.service';
import { DeauthorizeService } from './deauthorize.service';
import { DeletionStatusResponder } from './deletion-status.responder';
import { DeletionReceiptDto, DeletionStatusDto, SignedRequestDto, SuccessDto, WebhookEventDto } from './dto/webhooks.dto';
import { MetaSignatureService } from './meta-signature.service';
import { WebhookIngestService } from './webhook-ingest.service';

/**
 * What Meta's signed_request callbacks share: 200 (Meta reads the body), no rate limit (Meta
 * retries; the signature and the replay guard are the protection), a form or JSON body.
 */
function SignedRequestCallback(path: string): MethodDecorator {
  return applyDecorators(
    Post(path),
    HttpCode(200),
    NoRateLimit(),
    ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
    ApiBody({ type: SignedRequestDto }),
  );
}

function DeletionRequestRefused(): MethodDecorator {
  return ApiResponse({
    status: 400,
    description:
      'SIGNED_REQUEST_INVALID (as for deauthorize) or SIGNED_REQUEST_EXPIRED (issued more than 24 h ago); nothing recorded',
    type: ErrorBodyDto,
  });
}

function InstagramLoginOff(): MethodDecorator {
  return ApiResponse({
    status: 404,
    description: 'INSTAGRAM_LOGIN_DISABLED: no Instagram app is configured (production without INSTAGRAM_APP_ID)',
    type: ErrorBodyDto,
  });
}

/**
 * Meta's callbacks. Public (Meta signs them instead), and the routes Meta retries skip the
 * throttler. Each method is route + DTO + one service call.
 */
@ApiTags('webhooks')
@Public()
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly deauth: DeauthorizeService,
    private readonly deletion: DataDeletionService,
    private readonly statusResponder: DeletionStatusResponder,
    private readonly signatures: MetaSignatureService,
    private readonly ingest: WebhookIngestService,
  ) {}

  @SignedRequestCallback('facebook/deauthorize')
  @ApiOperation({
    summary: 'Deauthorize callback (App Dashboard → Facebook Login → Settings)',
    description:
      'Meta posts this when a user removes the app. Every connection of that Facebook user whose tokens were obtained before ' +
      '`issued_at` becomes `revoked`, its tokens are deleted, the user is alerted and the change is written to the event history ' +
      '(a connection made again afterwards stays). Accepted only within 24 h of `issued_at`; each signed_request acts once, ' +
      'a repeat gets the first answer and changes nothing.',
  })
  @ApiOkResponse({ type: SuccessDto })
  @ApiResponse({
    status: 400,
    description:
      'SIGNED_REQUEST_INVALID: missing, malformed, wrong algorithm, not signed with the app secret, no `issued_at`, ' +
      'or already used for the data-deletion callback; SIGNED_REQUEST_EXPIRED: issued more than 24 h ago. Nothing changed',
    type: ErrorBodyDto,
  })
  deauthorize(@Body('signed_request') signedRequest: unknown): Promise<{ success: true }> {
    return this.deauth.deauthorize(signedRequest);
  }

  @SignedRequestCallback('facebook/data-deletion')
  @ApiOperation({
    summary: 'Data Deletion Request callback (App Dashboard → App settings → Basic)',
    description:
      'Answers at once with the status page URL and a confirmation code; the deletion runs as a background job: every connection ' +
      'of that Facebook user whose tokens were obtained before `issued_at`, with every token, profile field, event, alert, login ' +
      'attempt and webhook delivery that names the person (connections made afterwards stay). Accepted only within 24 h of ' +
      '`issued_at`; a repeat of the same signed_request answers the same code and changes nothing, and a new request of the same ' +
      'user answers the same code while the deletion is pending or nothing new is held.',
  })
  @ApiOkResponse({ type: DeletionReceiptDto })
  @DeletionRequestRefused()
  dataDeletion(@Body('signed_request') signedRequest: unknown): Promise<DeletionReceipt> {
    return this.deletion.request(signedRequest);
  }

  @SignedRequestCallback('instagram/deauthorize')
  @ApiOperation({
    summary: 'Deauthorize callback of Instagram Login (App Dashboard → Instagram → Business login settings)',
    description:
      'Meta posts this when a user removes the app in Instagram (Settings → Apps and websites). The signed_request is ' +
      'signed with the Instagram app secret (INSTAGRAM_APP_SECRET) and its `user_id` is an Instagram user id: the ' +
      'app-scoped `id` or the professional `user_id` of /me (Meta does not document which, so both match). Only ' +
      'connections made with Instagram Login are touched; otherwise it acts as the Facebook deauthorize callback: ' +
      'connections whose tokens were obtained before `issued_at` become `revoked`, their tokens are deleted and the user ' +
      'is alerted; accepted only within 24 h of `issued_at`; a repeat gets the first answer and changes nothing.',
  })
  @ApiOkResponse({ type: SuccessDto })
  @ApiResponse({
    status: 400,
    description:
      'SIGNED_REQUEST_INVALID: missing, malformed, wrong algorithm, not signed with the Instagram app secret, no ' +
      '`issued_at`, or already used for another callback; SIGNED_REQUEST_EXPIRED: issued more than 24 h ago. Nothing changed',
    type: ErrorBodyDto,
  })
  @InstagramLoginOff()
  instagramDeauthorize(@Body('signed_request') signedRequest: unknown): Promise<{ success: true }> {
    return this.deauth.deauthorize(signedRequest, 'instagram');
  }

  @SignedRequestCallback('instagram/data-deletion')
  @ApiOperation({
    summary: 'Data Deletion Request callback of Instagram Login (App Dashboard → Instagram → Business login settings)',
    description:
      'As the Facebook data-deletion callback, for Instagram Login: signed with the Instagram app secret, `user_id` an ' +
      'Instagram user id (either id of /me matches). Answers at once with the status page URL and a confirmation code; a ' +
      'background job deletes every connection made with Instagram Login for that person whose tokens were obtained before ' +
      '`issued_at`, with every token, profile field, event, alert, login attempt and webhook delivery that names them. ' +
      'A repeat of the same signed_request answers the same code and changes nothing.',
  })
  @ApiOkResponse({ type: DeletionReceiptDto })
  @DeletionRequestRefused()
  @InstagramLoginOff()
  instagramDataDeletion(@Body('signed_request') signedRequest: unknown): Promise<DeletionReceipt> {
    return this.deletion.request(signedRequest, 'instagram');
  }

  @Get('facebook/data-deletion/:code')
  @ApiOperation({
    summary: 'Data-deletion status page',
    description: 'HTML for people; JSON with `Accept: application/json`. Says pending or completed and nothing else.',
  })
  @ApiParam({ name: 'code', description: 'confirmation_code from the data-deletion answer', example: '3q2-7wF1kQx9mZc8bA0L4g' })
  @ApiProduces('text/html', 'application/json')
  @ApiOkResponse({ type: DeletionStatusDto, description: 'JSON form; the HTML page carries the same two facts' })
  @ApiResponse({ status: 404, description: 'DELETION_REQUEST_NOT_FOUND', type: ErrorBodyDto })
  deletionStatus(
    @Param('code') code: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DeletionStatusView | string> {
    return this.statusResponder.respond(this.deletion.status(code), accept, res);
  }

  @Get('instagram/data-deletion/:code')
  @ApiOperation({
    summary: 'Data-deletion status page (Instagram Login)',
    description:
      'The page the Instagram data-deletion answer links to. HTML for people; JSON with `Accept: application/json`. ' +
      'Says pending or completed and nothing else.',
  })
  @ApiParam({ name: 'code', description: 'confirmation_code from the data-deletion answer', example: '3q2-7wF1kQx9mZc8bA0L4g' })
  @ApiProduces('text/html', 'application/json')
  @ApiOkResponse({ type: DeletionStatusDto, description: 'JSON form; the HTML page carries the same two facts' })
  @ApiResponse({ status: 404, description: 'DELETION_REQUEST_NOT_FOUND', type: ErrorBodyDto })
  instagramDeletionStatus(
    @Param('code') code: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DeletionStatusView | string> {
    return this.statusResponder.respond(this.deletion.status(code), accept, res);
  }

  @Get('instagram')
  @NoRateLimit()
  @ApiOperation({
    summary: 'Webhook subscription handshake',
    description:
      'Echoes `hub.challenge` as text/plain when `hub.mode=subscribe` and `hub.verify_token` equals FACEBOOK_WEBHOOK_VERIFY_TOKEN.',
  })
  @ApiQuery({ name: 'hub.mode', example: 'subscribe' })
  @ApiQuery({ name: 'hub.verify_token', example: 'the FACEBOOK_WEBHOOK_VERIFY_TOKEN value' })
  @ApiQuery({ name: 'hub.challenge', example: '1158201444' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The challenge, verbatim', schema: { type: 'string', example: '1158201444' } })
  @ApiResponse({
    status: 403,
    description: 'WEBHOOK_VERIFY_TOKEN_MISMATCH (also when no verify token is configured)',
    type: ErrorBodyDto,
  })
  handshake(
    @Query('hub.mode') mode: unknown,
    @Query('hub.verify_token') token: unknown,
    @Query('hub.challenge') challenge: unknown,
    @Res({ passthrough: true }) res: Response,
  ): string {
    const echo = this.signatures.subscriptionChallenge(mode, token, challenge);
    // set only on success: errors stay JSON
    res.type('text/plain');
    return echo;
  }

  @Post('instagram')
  @HttpCode(200)
  @NoRateLimit()
  @ApiOperation({
    summary: 'Webhook event notifications (Instagram, Page, permissions)',
    description:
      'Verified with X-Hub-Signature-256 over the raw bytes, stored once per distinct body (replays are no-ops), answered at once. ' +
      '`permissions` changes revoking a scope the product needs mark the matching connections `needs_reconnect` and alert the user; ' +
      'other objects are stored for later use.',
  })
  @ApiHeader({
    name: 'X-Hub-Signature-256',
    required: true,
    example: 'sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  })
  @ApiBody({
    type: WebhookEventDto,
    examples: {
      permissions: {
        value: {
          object: 'permissions',
          entry: [
            {
              id: '10000000000000001',
              uid: '10000000000000001',
              time: 1764230600,
              changes: [{ field: 'instagram_content_publish', value: { verb: 'revoked', target_ids: [] } }],
            },
          ],
        },
      },
      instagram: {
        value: {
          object: 'instagram',
          entry: [
            {
              id: '17841400000000001',
              time: 1764230600,
              changes: [{ field: 'comments', value: { id: '17865799348089039', text: 'Nice!' } }],
            },
          ],
        },
      },
    },
  })
  @ApiOkResponse({ type: SuccessDto })
  @ApiResponse({
    status: 401,
    description: 'WEBHOOK_SIGNATURE_INVALID: missing or wrong signature; nothing stored',
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 400, description: 'MALFORMED_JSON', type: ErrorBodyDto })
  receive(@Req() req: RawBodyRequest<Request>, @Headers('x-hub-signature-256') signature: unknown): Promise<{ success: true }> {
    return this.ingest.receive(req.rawBody, signature);
  }
}
