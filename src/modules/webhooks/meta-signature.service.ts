import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import type { LoginType } from '../connections/connection.repository';
import { secretsEqual, verifyHubSignature } from './domain/hub-signature';
import { verifySignedRequest, type SignedRequestPayload } from './domain/signed-request';
import { signedRequestFreshness } from './domain/signed-request-freshness';

/** A verified, fresh signed_request: the exact string (its hash is the replay key), its payload and Meta's issued_at. */
export interface FreshSignedRequest {
  raw: string;
  payload: SignedRequestPayload;
  issuedAt: Date;
}

/** Checks that a callback really comes from Meta, with the app secret from validated config. */
@Injectable()
export class MetaSignatureService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * A valid `signed_request` issued within the last 24 h (app clock), else SIGNED_REQUEST_INVALID
   * (missing, malformed, not signed by Meta, no issued_at, or issued in the future) or
   * SIGNED_REQUEST_EXPIRED (issued more than 24 h ago), both 400. Facebook Login's callbacks are
   * signed with the Meta app's secret, Instagram Login's with the Instagram app's own
   * (instagram-login.md §8); without an Instagram app (production), Instagram Login is off and
   * its callbacks are a 404 INSTAGRAM_LOGIN_DISABLED, never checked against the sandbox's secret.
   */
  signedRequest(input: unknown, loginType: LoginType = 'facebook'): FreshSignedRequest {
    if (loginType === 'instagram' && !this.config.instagram.enabled)
      throw new DomainError(ErrorCode.INSTAGRAM_LOGIN_DISABLED, 'Instagram Login is not configured on this deployment.');
    const secret = loginType === 'instagram' ? this.config.instagram.appSecret : this.config.facebook.appSecret;
    const result = verifySignedRequest(input, secret);
    if (!result.ok)
      throw new DomainError(ErrorCode.SIGNED_REQUEST_INVALID, 'The signed_request is missing, malformed or not signed by Meta.');
    const fresh = signedRequestFreshness(result.payload.issued_at, this.clock.now());
    if (!fresh.ok && fresh.reason === 'stale')
      throw new DomainError(ErrorCode.SIGNED_REQUEST_EXPIRED, 'The signed_request was issued more than 24 hours ago.');
    if (!fresh.ok) throw new DomainError(ErrorCode.SIGNED_REQUEST_INVALID, 'The signed_request has no usable issued_at.');
    return { raw: input as string, payload: result.payload, issuedAt: fresh.issuedAt };
  }

  /** X-Hub-Signature-256 over the raw bytes, else WEBHOOK_SIGNATURE_INVALID (401). */
  hubSignature(raw: Buffer | undefined, header: unknown): Buffer {
    if (!raw || !verifyHubSignature(raw, header, this.config.facebook.appSecret)) {
      throw new DomainError(
        ErrorCode.WEBHOOK_SIGNATURE_INVALID,
        'The X-Hub-Signature-256 header is missing or does not match the body.',
      );
    }
    return raw;
  }

  /** The subscription handshake: echo the challenge only when the verify token matches. */
  subscriptionChallenge(mode: unknown, token: unknown, challenge: unknown): string {
    const expected = this.config.facebook.webhookVerifyToken;
    if (!expected || mode !== 'subscribe' || typeof token !== 'string' || !secretsEqual(token, expected)) {
      throw new DomainError(
        ErrorCode.WEBHOOK_VERIFY_TOKEN_MISMATCH,
        'hub.mode must be "subscribe" and hub.verify_token must match.',
      );
    }
    if (typeof challenge !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(challenge)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'hub.challenge is required.');
    }
    return challenge;
  }
}
